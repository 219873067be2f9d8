package io.resticmanager.inventory;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** A page of a keyset-paged list; {@code next_cursor} is null on the last page. */
public record Page<T>(List<T> items, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
}
