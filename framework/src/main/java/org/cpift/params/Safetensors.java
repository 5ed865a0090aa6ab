package org.cpift.params;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
 * JSON ({@code name -> {dtype, shape, data_offsets}} plus an optional {@code __metadata__} map of
 * strings), then the little-endian tensor bytes. Writes F32 with a content digest in the metadata
 * ({@link #DIGEST_KEY}); reads F32, F16 and BF16 (converted to float). Files written here load in
 * PyTorch with {@code safetensors.torch.load_file}.
 *
 * <p>The reader trusts nothing: the header length, its UTF-8 and JSON grammar (one object, no
 * duplicate key, space padding only), every offset (in header order, covering the data section
 * without holes), every size and shape, and the digest when there is one; a bad file is rejected
 * with the file name, the tensor and what is wrong.
 */
public final class Safetensors {
  private Safetensors() {}

  /** Largest header accepted (the reference implementation uses the same bound). */
  static final long MAX_HEADER_BYTES = 100L << 20;

  /** A loaded file: its tensors (converted to float32) and its string metadata. */
  public record Contents(ParamSnapshot params, Map<String, String> metadata) {}

  /** Writes {@code snapshot} as F32 tensors with {@code metadata}, atomically. */
  public static void write(Path file, ParamSnapshot snapshot, Map<String, String> metadata) {
    Map<String, String> meta = new LinkedHashMap<>();
    if (metadata != null) {
      meta.putAll(metadata);
      meta.remove(DIGEST_KEY); // a digest read from another file: this file gets its own
    }
    meta.put(DIGEST_KEY, digest(meta, snapshot));
    Map<String, long[]> layout = new LinkedHashMap<>();
    snapshot.params().forEach(p -> layout.put(p.name(), p.shape()));
    byte[] headerBytes = headerBytes(meta, layout);
    int padded = headerBytes.length;
    AtomicFiles.write(file, out -> {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(headerBytes);
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Param p : snapshot.params()) {
        for (float v : p.data()) {
          if (!buf.hasRemaining()) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
          }
          buf.putFloat(v);
        }
      }
      out.write(buf.array(), 0, buf.position());
    });
  }

  /** The JSON header of F32 tensors laid out in order, padded with spaces to 8 bytes. */
  private static byte[] headerBytes(Map<String, String> meta, Map<String, long[]> tensors) {
    ObjectNode header = Json.MAPPER.createObjectNode();
    ObjectNode metaNode = header.putObject("__metadata__");
    meta.forEach(metaNode::put);
    long offset = 0;
    for (Map.Entry<String, long[]> p : tensors.entrySet()) {
      ObjectNode t = header.putObject(p.getKey());
      t.put("dtype", "F32");
      var shape = t.putArray("shape");
      for (long d : p.getValue()) {
        shape.add(d);
      }
      long bytes = 4L * Param.numElements(p.getValue());
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = Json.MAPPER.writer().without(
          com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(header);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int padded = (json.length + 7) / 8 * 8; // align the data section to 8 bytes, padding with spaces
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    return headerBytes;
  }

  /**
   * The {@code __metadata__} entry holding a SHA-256 over everything else the file says (the other
   * metadata, every tensor's name, dtype and shape, the data bytes), written by {@link #write} and
   * checked on every read when present: a file changed after writing, in its header or in one bit
   * of its weights, is refused rather than loaded as other weights. Files from other writers
   * carry none and are checked for structure only.
   */
  public static final String DIGEST_KEY = "cpift.sha256";

  /**
   * The {@code cpift.} metadata keys this project writes; any other key in that namespace is a
   * damaged or edited header. Files without a digest (written before it existed, or by other
   * tools) are checked for structure only.
   */
  static final java.util.Set<String> KNOWN_KEYS = java.util.Set.of(DIGEST_KEY,
      "cpift.model_config");

  private static String digest(Map<String, String> metadata, ParamSnapshot snapshot) {
    MessageDigest md = sha256();
    digestHeader(md, metadata, snapshot.params().stream()
        .map(p -> new String[] {p.name(), "F32", java.util.Arrays.toString(p.shape())}).toList());
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Param p : snapshot.params()) {
      for (float v : p.data()) {
        if (!buf.hasRemaining()) {
          md.update(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putFloat(v);
      }
    }
    md.update(buf.array(), 0, buf.position());
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static void digestHeader(MessageDigest md, Map<String, String> metadata,
      List<String[]> tensors) {
    StringBuilder b = new StringBuilder("cpift-safetensors-digest-v1\n");
    new java.util.TreeMap<>(metadata).forEach((k, v) -> {
      if (!k.equals(DIGEST_KEY)) {
        b.append(k).append('\0').append(v).append('\n');
      }
    });
    for (String[] t : tensors) {
      b.append(String.join("\0", t)).append('\n');
    }
    md.update(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a safetensors file; throws {@link CpiftException} naming the problem if it is invalid.
   * The file is memory-mapped a window at a time and each tensor converted straight into its
   * float array, so the heap holds the model once (its floats), never the file's bytes as well,
   * and files and tensors beyond 2 GB load.
   */
  public static Contents read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return parse(new Bytes(ch.size(), (offset, length) -> {
        try {
          return ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }), file.toString());
    } catch (NoSuchFileException e) {
      throw new CpiftException("safetensors file not found: " + file + " (give the path of a "
          + "model directory's model.safetensors)");
    } catch (IOException | UncheckedIOException e) {
      throw new CpiftException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The bytes of a file or buffer, {@code size} long, read by windows of at most 2 GB. */
  record Bytes(long size, Window source) {
    /** Bytes {@code offset .. offset+length}, positioned at 0. */
    interface Window {
      ByteBuffer at(long offset, int length);
    }

    /** Bytes {@code offset .. offset+length}, little-endian, positioned at 0. */
    ByteBuffer window(long offset, int length) {
      return source.at(offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** Windows are at most this long (a multiple of every element width). */
  static final int WINDOW = 1 << 30;

  /** Windows of a file read tensor by tensor (heap buffers, so smaller). */
  static final int LAZY_WINDOW = 1 << 26;

  /** Parses safetensors bytes; {@code where} names the source in error messages. */
  public static Contents parse(ByteBuffer bytes, String where) {
    ByteBuffer all = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int start = all.position();
    return parse(new Bytes(all.remaining(), (offset, length) -> all.duplicate()
        .limit(start + (int) offset + length).position(start + (int) offset).slice()), where);
  }

  static Contents parse(Bytes b, String where) {
    return parse(b, where, WINDOW);
  }

  /** A tensor's place in a file: dtype, shape and its bytes within the data section. */
  record Entry(String name, String dtype, long[] shape, long begin, long end) {}

  /** A checked header: the tensors in header order, the metadata, where the data starts. */
  record Index(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

  /** As above, reading windows of at most {@code window} bytes (a multiple of 4). */
  static Contents parse(Bytes b, String where, int window) {
    Index index = index(b, where, window);
    ParamSnapshot snapshot = new ParamSnapshot();
    for (Entry e : index.entries()) {
      snapshot.put(load(b, index, e, window));
    }
    return new Contents(snapshot, index.metadata());
  }

  /**
   * Checks the header and the layout of the data section, and the digest when there is one
   * (streaming over the data a window at a time): everything {@link #read} checks, without
   * loading a tensor.
   */
  static Index index(Bytes b, String where, int window) {
    long fileSize = b.size();
    if (fileSize < 8) {
      throw bad(where, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
    }
    long headerLen = b.window(0, 8).getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
      throw bad(where, "header length " + Long.toUnsignedString(headerLen)
          + " is outside 2.." + MAX_HEADER_BYTES);
    }
    if (8 + headerLen > fileSize) {
      throw bad(where, "header length " + headerLen + " runs past the end of the file ("
          + fileSize + " bytes): the file is truncated or not safetensors");
    }
    byte[] hb = new byte[(int) headerLen];
    b.window(8, (int) headerLen).get(hb);
    // the header is one JSON object, starting at its first byte, padded at the end with spaces
    // (0x20) only: no other whitespace, no NUL, no second value
    if (hb[0] != '{') {
      throw bad(where, "header does not start with '{' (byte 8 is 0x"
          + String.format("%02x", hb[0] & 0xff) + ")");
    }
    int jsonEnd = hb.length;
    while (jsonEnd > 0 && hb[jsonEnd - 1] == ' ') {
      jsonEnd--;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(hb, 0, jsonEnd)).toString();
    } catch (CharacterCodingException e) {
      throw bad(where, "header is not valid UTF-8");
    }
    JsonNode header;
    try {
      header = Json.readStrict(text);
    } catch (JsonProcessingException e) {
      throw bad(where, "header is not exactly one JSON object padded with spaces: "
          + e.getOriginalMessage());
    }
    if (header == null || !header.isObject()) {
      throw bad(where, "header is not a JSON object");
    }
    long dataStart = 8 + headerLen;
    long dataLen = fileSize - dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      JsonNode v = f.getValue();
      if (name.equals("__metadata__")) {
        if (!v.isObject()) {
          throw bad(where, "__metadata__ must be an object of strings");
        }
        v.fields().forEachRemaining(m -> {
          if (!m.getValue().isTextual()) {
            throw bad(where, "__metadata__." + m.getKey() + " must be a string");
          }
          metadata.put(m.getKey(), m.getValue().asText());
        });
        continue;
      }
      if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
          || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
        throw bad(where, "tensor '" + name + "' needs dtype (string), shape (array) and "
            + "data_offsets ([begin, end])");
      }
      String dtype = v.get("dtype").asText();
      int width = dtypeWidth(dtype);
      if (width == 0) {
        throw bad(where, "tensor '" + name + "' has dtype " + dtype
            + "; supported are F32, F16 and BF16");
      }
      long[] shape = new long[v.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        JsonNode d = v.get("shape").get(i);
        if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
          throw bad(where, "tensor '" + name + "' has an invalid dimension " + d);
        }
        shape[i] = d.asLong();
      }
      JsonNode o0 = v.get("data_offsets").get(0);
      JsonNode o1 = v.get("data_offsets").get(1);
      if (!o0.isIntegralNumber() || !o1.isIntegralNumber() || !o0.canConvertToLong()
          || !o1.canConvertToLong() || o0.asLong() < 0 || o1.asLong() < o0.asLong()) {
        throw bad(where, "tensor '" + name + "' has invalid data_offsets " + v.get("data_offsets"));
      }
      long begin = o0.asLong();
      long end = o1.asLong();
      long expected;
      try {
        expected = Math.multiplyExact(Param.numElements(shape), (long) width);
      } catch (ArithmeticException e) {
        throw bad(where, "tensor '" + name + "' has a shape whose size overflows");
      }
      if (end - begin != expected) {
        throw bad(where, "tensor '" + name + "' has shape " + java.util.Arrays.toString(shape)
            + " of " + dtype + " (" + expected + " bytes) but its data_offsets span "
            + (end - begin) + " bytes");
      }
      if (end > dataLen) {
        throw bad(where, "tensor '" + name + "' ends at byte " + end + " of the data section, "
            + "which has only " + dataLen + " bytes: the file is truncated");
      }
      if (expected > Integer.MAX_VALUE * 4L) {
        throw bad(where, "tensor '" + name + "' is too large to load into one float array");
      }
      entries.add(new Entry(name, dtype, shape, begin, end));
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(java.util.Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long covered = 0;
    for (Entry e : byOffset) {
      if (e.begin() < covered) {
        throw bad(where, "tensor '" + e.name() + "' overlaps the bytes of another tensor");
      }
      if (e.begin() > covered) {
        throw bad(where, "bytes " + covered + ".." + e.begin() + " of the data section belong to "
            + "no tensor (the format allows no holes)");
      }
      covered = e.end();
    }
    // tensors lie in the data section in header order (as every writer of the format lays them
    // out), so two same-size tensors with swapped offsets are refused, not loaded as each other
    for (int k = 0; k < entries.size(); k++) {
      if (entries.get(k) != byOffset.get(k)) {
        throw bad(where, "tensor '" + entries.get(k).name() + "' is listed " + (k + 1)
            + (k == 0 ? "st" : k == 1 ? "nd" : k == 2 ? "rd" : "th") + " in the header but its "
            + "data_offsets are not: the data_offsets are out of header order");
      }
    }
    if (covered != dataLen) {
      throw bad(where, "the data section has " + (dataLen - covered)
          + " bytes after the last tensor that belong to no tensor");
    }
    String recorded = metadata.get(DIGEST_KEY);
    for (String k : metadata.keySet()) {
      if (k.startsWith("cpift.") && !KNOWN_KEYS.contains(k)) {
        throw bad(where, "__metadata__ has the key '" + k + "', which this project never writes: "
            + "the header was edited or damaged");
      }
    }
    if (recorded != null) {
      MessageDigest md = sha256();
      digestHeader(md, metadata, entries.stream()
          .map(e -> new String[] {e.name(), e.dtype(), java.util.Arrays.toString(e.shape())})
          .toList());
      for (long at = dataStart; at < fileSize; at += window) {
        md.update(b.window(at, (int) Math.min(window, fileSize - at)));
      }
      String actual = java.util.HexFormat.of().formatHex(md.digest());
      if (!actual.equals(recorded)) {
        throw bad(where, "its contents hash to " + actual + " but the file records " + recorded
            + " (" + DIGEST_KEY + "): it was changed or damaged after it was written. Restore "
            + "it from where it came (git checkout for a shipped base) or write it again");
      }
    }
    return new Index(entries, metadata, dataStart);
  }

  /** One tensor of a checked file, converted to float. */
  private static Param load(Bytes b, Index index, Entry e, int window) {
    long dataStart = index.dataStart();
    {
      int n = (int) Param.numElements(e.shape());
      int width = dtypeWidth(e.dtype());
      float[] data = new float[n];
      // window by window (each a whole number of elements), straight into the float array
      for (int done = 0; done < n; ) {
        int count = (int) Math.min(n - done, window / width);
        ByteBuffer w = b.window(dataStart + e.begin() + (long) done * width, count * width);
        switch (e.dtype()) {
          case "F32" -> w.asFloatBuffer().get(data, done, count);
          case "F16" -> {
            for (int i = 0; i < count; i++) {
              data[done + i] = halfToFloat(w.getShort(2 * i));
            }
          }
          case "BF16" -> {
            for (int i = 0; i < count; i++) {
              data[done + i] = Float.intBitsToFloat((w.getShort(2 * i) & 0xffff) << 16);
            }
          }
          default -> throw new IllegalStateException(e.dtype());
        }
        done += count;
      }
      return new Param(e.name(), e.shape(), data);
    }
  }

  /**
   * A file read one tensor at a time ({@link #open}): the header, layout and digest are checked
   * on opening, as {@link #read} checks them, and each {@link #tensor} maps only its own bytes,
   * so a model larger than the heap can be processed tensor by tensor.
   */
  public static final class Lazy implements AutoCloseable {
    private final FileChannel channel;
    private final Bytes bytes;
    private final Index index;
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final String where;

    private Lazy(FileChannel channel, Bytes bytes, Index index, String where) {
      this.channel = channel;
      this.bytes = bytes;
      this.index = index;
      this.where = where;
      index.entries().forEach(e -> byName.put(e.name(), e));
    }

    /** The tensors' names, in file order. */
    public List<String> names() {
      return List.copyOf(byName.keySet());
    }

    /** The shape of tensor {@code name}. */
    public long[] shape(String name) {
      return entry(name).shape().clone();
    }

    /** The file's string metadata. */
    public Map<String, String> metadata() {
      return java.util.Collections.unmodifiableMap(index.metadata());
    }

    /** Tensor {@code name}, converted to float. */
    public Param tensor(String name) {
      return load(bytes, index, entry(name), LAZY_WINDOW);
    }

    private Entry entry(String name) {
      Entry e = byName.get(name);
      if (e == null) {
        throw new CpiftException(where + " has no tensor '" + name + "'");
      }
      return e;
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Opens {@code file} for reading tensor by tensor; checks it as {@link #read} does. */
  public static Lazy open(Path file) {
    FileChannel ch = null;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
      FileChannel c = ch;
      // positional reads into the heap, not mappings: pages of a model far larger than memory
      // are not kept resident on the process's account
      Bytes b = new Bytes(ch.size(), (offset, length) -> {
        ByteBuffer buf = ByteBuffer.allocate(length);
        try {
          while (buf.hasRemaining()) {
            if (c.read(buf, offset + buf.position()) < 0) {
              throw new IOException("unexpected end of file at byte " + (offset + buf.position()));
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return buf.flip();
      });
      return new Lazy(ch, b, index(b, file.toString(), LAZY_WINDOW), file.toString());
    } catch (NoSuchFileException e) {
      throw new CpiftException("safetensors file not found: " + file);
    } catch (IOException | UncheckedIOException | CpiftException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // the first error is the one to report
        }
      }
      if (e instanceof CpiftException ce) {
        throw ce;
      }
      throw new CpiftException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a file tensor by tensor ({@link #create}): the tensors' names and shapes are given up
   * front, their data in that order; the digest is computed on the way and written into the
   * header's reserved place by {@link #commit}, which then moves the file into place (until then
   * only a temporary file beside it exists). The result is byte for byte what {@link #write}
   * gives for the same tensors.
   */
  public static final class Writer implements AutoCloseable {
    private final Path file;
    private final Path tmp;
    private final FileChannel out;
    private final Map<String, long[]> layout;
    private final List<String> order;
    private final Map<String, String> metadata;
    private final MessageDigest md = sha256();
    private int next;
    private boolean committed;

    private Writer(Path file, Map<String, long[]> layout, Map<String, String> metadata)
        throws IOException {
      this.file = file;
      this.layout = layout;
      this.order = List.copyOf(layout.keySet());
      this.metadata = metadata;
      tmp = AtomicFiles.createTemporary(file);
      FileChannel ch = null;
      try {
        ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        digestHeader(md, metadata, order.stream()
            .map(n -> new String[] {n, "F32", java.util.Arrays.toString(layout.get(n))}).toList());
        byte[] h = header("0".repeat(64));
        writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
        writeFully(ch, ByteBuffer.wrap(h));
      } catch (IOException | RuntimeException e) {
        if (ch != null) {
          ch.close();
        }
        Files.deleteIfExists(tmp);
        throw e;
      }
      out = ch;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    private byte[] header(String digest) {
      Map<String, String> meta = new LinkedHashMap<>(metadata);
      meta.put(DIGEST_KEY, digest);
      return headerBytes(meta, layout);
    }

    /** Appends the next tensor's data (it must be the next one of the layout, same shape). */
    public void write(Param p) {
      if (next >= order.size() || !order.get(next).equals(p.name())
          || !java.util.Arrays.equals(layout.get(p.name()), p.shape())) {
        throw new IllegalStateException("writing " + p.name() + " out of the declared order "
            + "or shape (expected " + (next < order.size() ? order.get(next) : "none") + ")");
      }
      // in chunks of at most 16 M floats, so tensors beyond 2 GB of bytes write too
      int chunk = 1 << 24;
      float[] data = p.data();
      ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(chunk, Math.max(1, data.length)))
          .order(ByteOrder.LITTLE_ENDIAN);
      try {
        for (int from = 0; from < data.length; from += chunk) {
          int len = Math.min(chunk, data.length - from);
          buf.clear();
          buf.asFloatBuffer().put(data, from, len);
          buf.limit(4 * len);
          md.update(buf.array(), 0, 4 * len);
          writeFully(out, buf);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      next++;
    }

    /** Writes the digest into the header and moves the finished file into place. */
    public void commit() {
      if (next != layout.size()) {
        throw new IllegalStateException("only " + next + " of " + layout.size()
            + " tensors written to " + file);
      }
      try {
        byte[] h = header(java.util.HexFormat.of().formatHex(md.digest()));
        ByteBuffer hb = ByteBuffer.wrap(h);
        for (long at = 8; hb.hasRemaining(); ) {
          at += out.write(hb, at);
        }
        out.force(true);
        out.close();
        AtomicFiles.moveIntoPlace(tmp, file);
        committed = true;
      } catch (IOException e) {
        throw new CpiftException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    /** Closes; a writer not committed removes its temporary file and leaves none behind. */
    @Override
    public void close() {
      if (!committed) {
        try {
          out.close();
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // nothing half-written stays: the temporary file is gone or was never moved
        }
      }
    }
  }

  /** Starts writing {@code file} with tensors of the names and shapes of {@code layout}, in order. */
  public static Writer create(Path file, Map<String, long[]> layout, Map<String, String> metadata) {
    Map<String, String> meta = new LinkedHashMap<>();
    if (metadata != null) {
      meta.putAll(metadata);
      meta.remove(DIGEST_KEY);
    }
    try {
      return new Writer(file, new LinkedHashMap<>(layout), meta);
    } catch (IOException e) {
      throw new CpiftException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** IEEE 754 binary16 to float (exact: every half value is a float). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal half: mant * 2^-24
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  private static int dtypeWidth(String dtype) {
    return switch (dtype) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> 0;
    };
  }

  private static CpiftException bad(String where, String what) {
    return new CpiftException("invalid safetensors file " + where + ": " + what);
  }
}
