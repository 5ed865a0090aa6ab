package org.cpift.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutants of a file this project wrote (bit flips anywhere, truncations, header-length
 * edits, header JSON edits with the length kept consistent, offset swaps, appended bytes): the
 * reader must, for every mutant, either refuse it with a {@link CpiftException} naming the file or
 * read back exactly the original tensors and metadata. Any other exception fails the test.
 */
class SafetensorsFuzzTest {
  static final int MUTANTS = 600;
  @TempDir Path dir;

  private static ParamSnapshot original() {
    ParamSnapshot s = new ParamSnapshot();
    SplittableRandom r = new SplittableRandom(7);
    for (String name : new String[] {"emb", "blk.0.w", "blk.0.b", "head"}) {
      int n = name.endsWith(".b") ? 6 : 12;
      float[] d = new float[n];
      for (int i = 0; i < n; i++) {
        d[i] = (float) r.nextGaussian();
      }
      s.put(new Param(name, name.endsWith(".b") ? new long[] {6} : new long[] {3, 4}, d));
    }
    return s;
  }

  @Test
  void everyMutantIsRefusedOrReadsAsTheOriginal() throws IOException {
    Path f = dir.resolve("orig.safetensors");
    Safetensors.write(f, original(), Map.of("cpift.model_config", "{\"d\":4}", "format", "pt"));
    Safetensors.Contents orig = Safetensors.read(f);
    byte[] bytes = Files.readAllBytes(f);
    SplittableRandom rnd = new SplittableRandom(20261202);
    int refused = 0;
    int escaped = 0;
    int[] byKind = new int[7];
    for (int i = 0; i < MUTANTS; i++) {
      int kind = i % byKind.length;
      byte[] m = mutate(bytes, kind, rnd);
      if (Arrays.equals(m, bytes)) {
        continue; // a no-op edit (e.g. a digit replaced by itself)
      }
      Path mf = dir.resolve("m" + i + ".safetensors");
      Files.write(mf, m);
      try {
        Safetensors.Contents c = Safetensors.read(mf);
        assertEquals(orig.params(), c.params(), "mutant " + i + " (kind " + kind + ") read as other weights");
        // the one edit a digest cannot see is its own removal (a renamed key outside cpift.*):
        // the weights and every other entry must still be the original's
        String digest = orig.metadata().get(Safetensors.DIGEST_KEY);
        assertEquals(without(orig.metadata(), digest), without(c.metadata(), digest),
            "mutant " + i + " (kind " + kind + ")");
        escaped++;
      } catch (CpiftException e) {
        assertTrue(e.getMessage().contains(mf.toString()), e.getMessage());
        refused++;
        byKind[kind]++;
      }
      Files.delete(mf);
    }
    assertTrue(refused >= MUTANTS * 0.95, "refused " + refused + " of " + MUTANTS + ", "
        + escaped + " read back unchanged; refused by kind " + Arrays.toString(byKind));
  }

  private static Map<String, String> without(Map<String, String> meta, String digest) {
    Map<String, String> out = new java.util.TreeMap<>(meta);
    out.values().removeIf(v -> v.equals(digest));
    return out;
  }

  private static byte[] mutate(byte[] b, int kind, SplittableRandom r) {
    int headerLen = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    byte[] m = b.clone();
    switch (kind) {
      case 0 -> { // one bit anywhere
        int at = r.nextInt(b.length);
        m[at] ^= (byte) (1 << r.nextInt(8));
      }
      case 1 -> { // one bit in the header
        int at = 8 + r.nextInt(headerLen);
        m[at] ^= (byte) (1 << r.nextInt(8));
      }
      case 2 -> m = Arrays.copyOf(b, r.nextInt(b.length)); // truncation
      case 3 -> { // the header length off by a little
        int delta = r.nextInt(1, 17) * (r.nextBoolean() ? 1 : -1);
        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerLen + delta);
      }
      case 4 -> { // a digit of the header replaced, length kept
        String h = new String(b, 8, headerLen, StandardCharsets.UTF_8);
        int at;
        do {
          at = r.nextInt(h.length());
        } while (!Character.isDigit(h.charAt(at)));
        m[8 + at] = (byte) ('0' + r.nextInt(10));
      }
      case 5 -> { // a header edit: insert, delete or duplicate a structural piece, length rewritten
        String h = new String(b, 8, headerLen, StandardCharsets.UTF_8).stripTrailing();
        String[] pieces = {"{", "}", "[", "]", ",", ":", "\"", "0", "\"x\":1,", " ", "\\u0000",
            "\"emb\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]},"};
        int at = 1 + r.nextInt(h.length() - 1);
        String edited = switch (r.nextInt(3)) {
          case 0 -> h.substring(0, at) + pieces[r.nextInt(pieces.length)] + h.substring(at);
          case 1 -> h.substring(0, at - 1) + h.substring(at);
          default -> h + pieces[r.nextInt(pieces.length)];
        };
        m = withHeader(b, headerLen, edited);
      }
      default -> { // two tensors' data_offsets swapped, or bytes appended
        if (r.nextBoolean()) {
          String h = new String(b, 8, headerLen, StandardCharsets.UTF_8);
          // emb and head are the same size: swap their offsets
          String a = "\"data_offsets\":[0,48]";
          int start = h.lastIndexOf("\"data_offsets\":[");
          String last = h.substring(start, h.indexOf(']', start) + 1);
          String edited = h.replace(a, "@A@").replace(last, a).replace("@A@", last);
          m = withHeader(b, headerLen, edited.stripTrailing());
        } else {
          m = Arrays.copyOf(b, b.length + 1 + r.nextInt(8));
        }
      }
    }
    return m;
  }

  private static byte[] withHeader(byte[] b, int headerLen, String header) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[8 + h.length + b.length - 8 - headerLen];
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
    System.arraycopy(h, 0, out, 8, h.length);
    System.arraycopy(b, 8 + headerLen, out, 8 + h.length, b.length - 8 - headerLen);
    return out;
  }
}
