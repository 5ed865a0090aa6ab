package org.cpift.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cpift.data.JsonlReader;
import org.cpift.data.SftRecord;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * File formats a task's splits can be in, each read into canonical {@link SftRecord}s.
 * <ul>
 *   <li>{@code canonical}: JSONL {@code {"prompt", "answer", "id"?, "task"?}};</li>
 *   <li>{@code alpaca}: {@code {"instruction", "input"?, "output"}} as a JSON array or JSONL; the
 *       prompt is the instruction, then the input on the next line when it is not empty;</li>
 *   <li>{@code gsm8k}: JSONL {@code {"question", "answer"}}, the answer ending in {@code #### n}.</li>
 * </ul>
 */
public enum TaskFormat {
  CANONICAL("canonical"),
  ALPACA("alpaca"),
  GSM8K("gsm8k");

  private final String id;

  TaskFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static TaskFormat parse(String name, String where) {
    for (TaskFormat f : values()) {
      if (f.id.equals(name)) {
        return f;
      }
    }
    throw new CpiftException(where + ": unknown format '" + name
        + "'; use one of canonical, alpaca, gsm8k");
  }

  /** Reads {@code file}; every record is tagged with {@code task}. */
  public List<SftRecord> read(Path file, String task) {
    List<SftRecord> raw = switch (this) {
      case CANONICAL -> JsonlReader.read(file);
      case ALPACA -> readObjects(file, true, (n, where, i) -> new SftRecord(
          join(text(n, "instruction", where, true), text(n, "input", where, false)),
          nonEmpty(text(n, "output", where, true), "output", where), id(n, i), task));
      case GSM8K -> readObjects(file, false, (n, where, i) -> {
        String answer = nonEmpty(text(n, "answer", where, true), "answer", where);
        if (!answer.contains("####")) {
          throw new CpiftException(where + ": field \"answer\" has no '#### <number>' final answer");
        }
        return new SftRecord(text(n, "question", where, true), answer, id(n, i), task);
      });
    };
    List<SftRecord> out = new ArrayList<>(raw.size());
    for (SftRecord r : raw) {
      out.add(new SftRecord(r.prompt(), r.answer(), r.id(), task));
    }
    return out;
  }

  private interface RecordMaker {
    SftRecord make(JsonNode n, String where, int index);
  }

  private static List<SftRecord> readObjects(Path file, boolean allowArray, RecordMaker maker) {
    List<SftRecord> out = new ArrayList<>();
    try {
      String first = firstNonBlankChar(file);
      if (allowArray && "[".equals(first)) {
        JsonNode arr;
        try {
          arr = Json.STRICT.readTree(file.toFile());
        } catch (JsonProcessingException e) {
          throw new CpiftException(file + ": not a valid JSON array (" + e.getOriginalMessage() + ")");
        }
        for (int i = 0; i < arr.size(); i++) {
          out.add(maker.make(object(arr.get(i), file + " element " + (i + 1)),
              file + " element " + (i + 1), i));
        }
      } else {
        for (JsonlReader.ObjectLine o : JsonlReader.readObjects(file)) {
          out.add(maker.make(o.node(), o.where(), out.size()));
        }
      }
    } catch (NoSuchFileException e) {
      throw new CpiftException("data file not found: " + file + " (name it in the task's "
          + "task.json field \"files\", relative to the task folder)");
    } catch (IOException e) {
      throw new CpiftException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new CpiftException(file + ": no records (the file is empty); every split needs at "
          + "least one");
    }
    return out;
  }

  private static String firstNonBlankChar(Path file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int c;
      while ((c = r.read()) >= 0) {
        if (!Character.isWhitespace(c)) {
          return String.valueOf((char) c);
        }
      }
    }
    return "";
  }

  private static JsonNode object(JsonNode n, String where) {
    if (n == null || !n.isObject()) {
      throw new CpiftException(where + ": expected a JSON object");
    }
    return n;
  }

  private static String text(JsonNode n, String field, String where, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new CpiftException(where + ": missing field \"" + field + "\"");
      }
      return "";
    }
    if (!v.isTextual()) {
      throw new CpiftException(where + ": field \"" + field + "\" must be a string");
    }
    return v.asText();
  }

  private static String nonEmpty(String s, String field, String where) {
    if (s.isEmpty()) {
      throw new CpiftException(where + ": field \"" + field + "\" is empty");
    }
    return s;
  }

  private static String id(JsonNode n, int index) {
    JsonNode v = n.get("id");
    return v != null && !v.isNull() ? v.asText() : String.valueOf(index);
  }

  private static String join(String instruction, String input) {
    return input.isEmpty() ? instruction : instruction + "\n" + input;
  }
}
