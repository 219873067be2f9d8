package io.resticmanager.proto.view;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** A page of a keyset-paged public list; {@code next_cursor} is null on the last page (and always sent). */
public record Page<T>(List<T> items, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    public Page {
        items = items == null ? List.of() : items;
    }
}
