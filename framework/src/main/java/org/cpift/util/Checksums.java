package org.cpift.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Verifies a folder's {@code SHA256SUMS} file (the format {@code sha256sum} writes). */
public final class Checksums {
  public static final String FILE = "SHA256SUMS";

  /** Files this process found matching their sums, by path, expected hash, size and time. */
  private static final java.util.Set<String> VERIFIED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Checksums() {}

  private static String seenKey(Path file, String expected) {
    try {
      return file.toAbsolutePath() + "|" + expected + "|" + Files.size(file) + "|"
          + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Writes {@code files} of {@code dir} by {@code writer} with their sums beside them: the old
   * {@code SHA256SUMS} is removed first and the new one written last, so a write stopped half-way
   * leaves files that load unchecked, never files that fail against the earlier sums.
   */
  public static void rewrite(Path dir, List<String> files, Runnable writer) {
    rewrite(dir, files, List.of(), writer);
  }

  /**
   * As {@link #rewrite(Path, List, Runnable)}, the sums also listing those of {@code ifPresent}
   * that are in {@code dir} after the write (a file some writers add, such as a Hugging Face
   * tokenizer's {@code tokenizer_config.json}).
   */
  public static void rewrite(Path dir, List<String> files, List<String> ifPresent,
      Runnable writer) {
    try {
      Files.deleteIfExists(dir.resolve(FILE));
    } catch (IOException e) {
      throw new CpiftException("cannot replace " + dir.resolve(FILE) + ": " + e.getMessage());
    }
    writer.run();
    List<String> all = new java.util.ArrayList<>(files);
    ifPresent.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).forEach(all::add);
    write(dir, all);
  }

  /**
   * Writes {@code dir/SHA256SUMS} (atomically) listing {@code files} of {@code dir} with their
   * SHA-256, in the format {@code sha256sum -c} reads.
   */
  public static void write(Path dir, List<String> files) {
    StringBuilder b = new StringBuilder();
    for (String f : files) {
      b.append(Hashing.sha256(dir.resolve(f))).append("  ").append(f).append('\n');
    }
    AtomicFiles.writeString(dir.resolve(FILE), b.toString());
  }

  /**
   * Checks a hash computed anyway (a base's digest for cache keys) against the one
   * {@code dir/SHA256SUMS} lists for {@code name}, if any: where {@link #verify} may have taken a
   * file unchanged by its size and time, what enters a key is the file's hash, and it must be
   * the listed one.
   */
  public static void confirm(Path dir, String name, String actual) {
    List<String> lines = lines(dir);
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).strip().split("\\s+\\*?", 2);
      if (parts.length == 2 && parts[1].equals(name) && !parts[0].equals(actual)) {
        throw mismatch(dir.resolve(name), i + 1, parts[0], actual);
      }
    }
  }

  /** The lines of {@code dir/SHA256SUMS}; none when there is no such file. */
  private static List<String> lines(Path dir) {
    Path sums = dir.resolve(FILE);
    if (!Files.isRegularFile(sums)) {
      return List.of();
    }
    try {
      return Files.readAllLines(sums, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CpiftException("cannot read " + sums + ": " + e.getMessage());
    }
  }

  private static CpiftException mismatch(Path file, int line, String listed, String actual) {
    return new CpiftException("checksum mismatch for " + file + ": " + FILE + " line " + line
        + " says " + listed + " but the file hashes to " + actual
        + "; restore the file (git checkout) or regenerate it");
  }

  /** Checks every file listed in {@code dir/SHA256SUMS}; does nothing when there is none. */
  public static void verify(Path dir) {
    Path sums = dir.resolve(FILE);
    List<String> lines = lines(dir);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+\\*?", 2);
      if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}")) {
        throw new CpiftException(sums + ":" + (i + 1) + ": expected '<sha256>  <file>'");
      }
      Path file = ContainedPath.resolve(dir, parts[1], sums + ":" + (i + 1));
      if (!Files.isRegularFile(file)) {
        throw new CpiftException(sums + ":" + (i + 1) + ": listed file " + file + " is missing");
      }
      String seen = seenKey(file, parts[0]);
      if (seen != null && VERIFIED.contains(seen)) {
        continue; // this process hashed it unchanged (size and time) already
      }
      String got = Hashing.sha256(file);
      if (!got.equals(parts[0])) {
        throw mismatch(file, i + 1, parts[0], got);
      }
      if (seen != null) {
        VERIFIED.add(seen);
      }
    }
  }
}
