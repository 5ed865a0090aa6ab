package org.cpift.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.util.AtomicFiles;
import org.cpift.util.Json;

/** Writes records as canonical JSONL, one compact object per line, atomically. */
public final class JsonlWriter {
  private JsonlWriter() {}

  public static void write(Path file, List<SftRecord> records) {
    var compact = Json.MAPPER.writer().without(
        com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.write(file, out -> {
      for (SftRecord r : records) {
        Map<String, String> m = new LinkedHashMap<>();
        if (r.id() != null) {
          m.put("id", r.id());
        }
        if (r.task() != null) {
          m.put("task", r.task());
        }
        m.put("prompt", r.prompt());
        m.put("answer", r.answer());
        out.write(compact.writeValueAsString(m).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    });
  }
}
