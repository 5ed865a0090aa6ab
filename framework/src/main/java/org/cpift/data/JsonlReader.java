package org.cpift.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/** Reads canonical SFT JSONL files; a malformed line fails with file, line and what is wrong. */
public final class JsonlReader {
  private JsonlReader() {}

  /** A JSON object read from one line, with {@code file:line} for messages. */
  public record ObjectLine(JsonNode node, String where) {}

  /**
   * Reads every non-blank line of a JSONL file as a JSON object; a line that is not a JSON object
   * fails with file and line.
   */
  public static List<ObjectLine> readObjects(Path file) {
    List<ObjectLine> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + lineNo;
        JsonNode n;
        try {
          n = Json.readStrict(line);
        } catch (JsonProcessingException e) {
          throw new CpiftException(where + ": not one JSON object (" + e.getOriginalMessage()
              + "); a JSONL line holds exactly one object and nothing after it");
        }
        if (n == null || !n.isObject()) {
          throw new CpiftException(where + ": expected a JSON object");
        }
        out.add(new ObjectLine(n, where));
      }
    } catch (NoSuchFileException e) {
      throw new CpiftException("data file not found: " + file
          + " (give the path of a JSONL file with one {\"prompt\",\"answer\"} object per line)");
    } catch (CharacterCodingException e) {
      throw new CpiftException(file + ": not valid UTF-8 text");
    } catch (IOException e) {
      throw new CpiftException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new CpiftException(file + ": no records (the file is empty)");
    }
    return out;
  }

  /** Reads every non-blank line of {@code file} as an {@link SftRecord}. */
  public static List<SftRecord> read(Path file) {
    List<SftRecord> out = new ArrayList<>();
    for (ObjectLine o : readObjects(file)) {
      out.add(toRecord(o.node(), o.where()));
    }
    return out;
  }

  private static SftRecord toRecord(JsonNode n, String where) {
    String prompt = requiredText(n, "prompt", where);
    String answer = requiredText(n, "answer", where);
    if (answer.isEmpty()) {
      throw new CpiftException(where + ": field \"answer\" is empty");
    }
    return new SftRecord(prompt, answer, optionalText(n, "id", where), optionalText(n, "task", where));
  }

  private static String requiredText(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new CpiftException(where + ": missing field \"" + field + "\"");
    }
    if (!v.isTextual()) {
      throw new CpiftException(where + ": field \"" + field + "\" must be a string, found "
          + v.getNodeType().toString().toLowerCase());
    }
    return v.asText();
  }

  private static String optionalText(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() && !v.isNumber()) {
      throw new CpiftException(where + ": field \"" + field + "\" must be a string");
    }
    return v.asText();
  }
}
