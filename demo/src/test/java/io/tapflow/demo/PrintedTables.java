package io.tapflow.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's output read back the way a user reads it: split into its "== title" sections, and the tables
 * ClickHouse printed (PrettyCompactMonoBlock, box-drawing characters) into rows of column name → cell.
 */
final class PrintedTables {

    private PrintedTables() {
    }

    /** The text of each section by the view its title names ("map", "red", "trace", "llm", "billing", …). */
    static Map<String, String> sections(String output) {
        Map<String, String> sections = new LinkedHashMap<>();
        for (String part : output.split("\n== ")) {
            int view = part.indexOf("(./tapflow query ");
            String title = part.lines().findFirst().orElse("");
            String key = view >= 0 && view < title.length()
                    ? part.substring(view + "(./tapflow query ".length()).split("[ )]")[0] : title.trim();
            sections.put(key, part);
        }
        return sections;
    }

    /** The rows of the first table in {@code section}. */
    static List<Map<String, String>> rows(String section) {
        List<String> names = null;
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : section.lines().toList()) {
            if (line.startsWith("┌")) {
                names = new ArrayList<>();
                for (String cell : line.substring(1, line.length() - 1).split("┬")) {
                    names.add(cell.replace("─", "").trim());
                }
            } else if (line.startsWith("│") && names != null) {
                String[] cells = line.substring(1, line.length() - 1).split("│");
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < names.size() && i < cells.length; i++) {
                    row.put(names.get(i), cells[i].trim());
                }
                rows.add(row);
            } else if (line.startsWith("└") && names != null) {
                break;
            }
        }
        return rows;
    }
}
