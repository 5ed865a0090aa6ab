package org.cpift.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;

/** The one JSON mapper of the project (pretty, stable key order for maps it builds). */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /**
   * The reader for files a user or another tool wrote: exactly one JSON value and nothing after it
   * (no second object, no trailing text), and no key twice in one object.
   */
  public static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /**
   * Parses {@code text} as exactly one JSON value with {@link #STRICT}; null for blank text.
   *
   * @throws JsonProcessingException with Jackson's description of the first problem
   */
  public static JsonNode readStrict(String text) throws JsonProcessingException {
    return STRICT.readTree(text);
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /** Serializes {@code value} as pretty JSON to {@code target}, atomically. */
  public static void writeFile(Path target, Object value) {
    AtomicFiles.writeString(target, write(value) + "\n");
  }
}
