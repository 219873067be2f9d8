package io.resticmanager.gateway;

import java.util.List;

/**
 * CSV as RFC 4180 writes it ({@code ,} between cells, CRLF after each row, a cell with a comma, quote or line break
 * in double quotes with its quotes doubled), safe to open in a spreadsheet: a cell that starts with {@code =},
 * {@code +}, {@code -}, {@code @}, a tab or a carriage return (a formula to Excel, LibreOffice and Sheets) gets a
 * leading {@code '} so it is shown as text and never run. Audit cells are written by whoever made the request
 * (user names, paths, host names), so this matters.
 */
final class Csv {
    private Csv() {
    }

    static String row(List<String> cells) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(cell(cells.get(i)));
        }
        return out.append("\r\n").toString();
    }

    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String text = value;
        char first = text.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
