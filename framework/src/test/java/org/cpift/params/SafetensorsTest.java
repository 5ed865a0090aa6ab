package org.cpift.params;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  static ParamSnapshot sample() {
    return new ParamSnapshot(List.of(
        new Param("h0/attn/wq", new long[] {2, 3}, new float[] {1.5f, -2f, 0f, Float.MIN_VALUE,
            -0f, 3.4e38f}),
        new Param("wte", new long[] {3}, new float[] {Float.NaN, 1e-30f, 7f}),
        new Param("scalar", new long[] {}, new float[] {42f})));
  }

  /** Reading by small windows (as a file beyond 2 GB is read) gives what one window gives. */
  @Test
  void readingByWindowsGivesTheSameTensors() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, sample(), Map.of());
    ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    Safetensors.Bytes bytes = new Safetensors.Bytes(all.capacity(), (offset, length) ->
        ByteBuffer.wrap(all.array(), (int) offset, length).slice());
    for (int window : new int[] {4, 12, 1 << 30}) {
      assertEquals(sample(), Safetensors.parse(bytes, "w", window).params(), "window " + window);
    }
    assertEquals(sample(), Safetensors.read(f).params());
  }

  @Test
  void roundTripIsExactIncludingNaNAndMetadata() {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, sample(), Map.of("format", "pt", "k", "v"));
    Safetensors.Contents c = Safetensors.read(f);
    assertEquals(sample(), c.params());
    assertEquals("v", c.metadata().get("k"));
    assertEquals(List.copyOf(sample().names()), List.copyOf(c.params().names()));
    for (Param p : sample().params()) {
      float[] got = c.params().get(p.name()).data();
      for (int i = 0; i < got.length; i++) {
        assertEquals(Float.floatToRawIntBits(p.data()[i]), Float.floatToRawIntBits(got[i]));
      }
    }
  }

  @Test
  void dataSectionIsEightByteAligned() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, sample(), Map.of());
    long n = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8);
  }

  /** A file built by hand, byte for byte, with F32, F16 and BF16 tensors. */
  @Test
  void readsHandBuiltFileWithHalfTypes() throws IOException {
    String header = "{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]},"
        + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[10,14]}}";
    ByteBuffer data = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001); // 1, -2, 2^-24
    data.putShort((short) 0x3FC0).putShort((short) 0xC120);                          // 1.5, -10
    data.putFloat(0.1f);
    Path f = write(header, data.array());
    ParamSnapshot s = Safetensors.read(f).params();
    assertArrayEquals(new float[] {1f, -2f, 0x1p-24f}, s.get("a").data());
    assertArrayEquals(new float[] {1.5f, -10f}, s.get("b").data());
    assertArrayEquals(new float[] {0.1f}, s.get("c").data());
  }

  @Test
  void halfConversionCoversSpecialValues() {
    assertEquals(Float.POSITIVE_INFINITY, Safetensors.halfToFloat((short) 0x7C00));
    assertTrue(Float.isNaN(Safetensors.halfToFloat((short) 0x7E00)));
    assertEquals(65504f, Safetensors.halfToFloat((short) 0x7BFF));
    assertEquals(-0f, Safetensors.halfToFloat((short) 0x8000));
    assertEquals(6.1035156e-5f, Safetensors.halfToFloat((short) 0x0400));
  }

  @Test
  void rejectsTruncatedFile() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, sample(), Map.of());
    byte[] all = Files.readAllBytes(f);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, java.util.Arrays.copyOf(all, all.length - 3));
    assertRejected(cut, "truncated");
    Files.write(cut, java.util.Arrays.copyOf(all, 5));
    assertRejected(cut, "shorter than the 8-byte header");
    Files.write(cut, java.util.Arrays.copyOf(all, 40));
    assertRejected(cut, "runs past the end");
  }

  @Test
  void rejectsLyingHeaders() throws IOException {
    byte[] eight = new byte[8];
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight),
        "span 8 bytes");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", eight), "overlaps");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight),
        "truncated");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
        "no tensor");
    assertRejected(write("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight),
        "dtype I64");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", eight),
        "invalid dimension");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
        + "\"data_offsets\":[0,8]}}", eight), "overflows");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", eight),
        "invalid data_offsets");
    assertRejected(write("{\"a\": 3}", eight), "needs dtype");
    assertRejected(write("{not json", eight), "not exactly one JSON object");
    assertRejected(write("[1,2]", eight), "does not start with '{'");
    ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    Path f = dir.resolve("huge.safetensors");
    Files.write(f, huge.array());
    assertRejected(f, "header length");
  }

  @Test
  void rejectsWhatTheGrammarDoesNotAllow() throws IOException {
    byte[] eight = new byte[8];
    String one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    assertEquals(1, Safetensors.read(write(one + "   ", eight)).params().params().size());
    assertRejected(write(one + "\0\0", eight), "not exactly one JSON object");
    assertRejected(write(one + " x", eight), "not exactly one JSON object");
    assertRejected(write(one + "{}", eight), "not exactly one JSON object");
    assertRejected(write(" " + one, eight), "does not start with '{'");
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
        "Duplicate field 'a'");
    byte[] h = one.getBytes(StandardCharsets.UTF_8);
    h[3] = (byte) 0xC3; // a UTF-8 lead byte followed by an ASCII byte
    assertRejected(write(new String(h, StandardCharsets.ISO_8859_1), eight, true), "not valid UTF-8");
    // two same-size tensors whose offsets were swapped: a valid layout, but not the written one
    assertRejected(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight),
        "out of header order");
  }

  @Test
  void theDigestCatchesOneFlippedBitInTheWeights() throws IOException {
    Path f = dir.resolve("d.safetensors");
    Safetensors.write(f, sample(), Map.of("k", "v"));
    Safetensors.Contents c = Safetensors.read(f);
    assertEquals("v", c.metadata().get("k"));
    assertTrue(c.metadata().get(Safetensors.DIGEST_KEY).matches("[0-9a-f]{64}"));
    byte[] all = Files.readAllBytes(f);
    all[all.length - 2] ^= 0x01;
    Files.write(f, all);
    assertRejected(f, "changed or damaged after it was written");
    // rewriting loaded contents (digest included in their metadata) gives a valid file again
    Path g = dir.resolve("g.safetensors");
    Safetensors.write(g, c.params(), c.metadata());
    assertEquals(c.metadata(), Safetensors.read(g).metadata());
  }

  @Test
  void missingFileIsAClearError() {
    CpiftException e = assertThrows(CpiftException.class,
        () -> Safetensors.read(dir.resolve("nope.safetensors")));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  private Path write(String header, byte[] data) throws IOException {
    return write(header, data, false);
  }

  /** A file with {@code header} (as UTF-8, or byte for byte from ISO-8859-1 when raw). */
  private Path write(String header, byte[] data, boolean raw) throws IOException {
    byte[] h = header.getBytes(raw ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
    out.write(h);
    out.write(data);
    Path f = Files.createTempFile(dir, "t", ".safetensors");
    Files.write(f, out.toByteArray());
    return f;
  }

  private static void assertRejected(Path f, String expectedFragment) {
    CpiftException e = assertThrows(CpiftException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().contains(expectedFragment),
        "message '" + e.getMessage() + "' should contain '" + expectedFragment + "'");
    assertTrue(e.getMessage().contains(f.toString()), "message names the file");
  }
}
