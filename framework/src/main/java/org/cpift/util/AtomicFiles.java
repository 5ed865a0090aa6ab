package org.cpift.util;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that a reader never sees a half-written one: temporary file, then rename. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Deletes a file or a directory with everything below it (children first). */
  public static void deleteTree(Path p) throws IOException {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> READABLE =
      java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

  /** Something that writes a file's whole content to a stream. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * A new temporary file beside {@code target} (parent directories created), named so that
   * {@link #removeOrphanedTemporaries} recognizes it when its process dies, readable as the
   * files written here are; to be finished by {@link #moveIntoPlace}.
   */
  public static Path createTemporary(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + "." + OWNER + ".", ".tmp");
    if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(tmp, READABLE); // temp files start as 0600
    }
    return tmp;
  }

  /** Moves a finished temporary file onto {@code target}, atomically where the system can. */
  public static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Writes {@code content} to {@code target} atomically, creating parent directories. */
  public static void write(Path target, Writer content) {
    Path tmp = null;
    try {
      tmp = createTemporary(target);
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        content.writeTo(out);
      }
      moveIntoPlace(tmp, target);
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the temporary file is left behind; it never shadows the target
        }
      }
    }
  }

  /**
   * Who writes a temporary file: this host and process ({@code host-pid}), part of its name, so
   * that one left by a killed process can be told from one being written.
   */
  static final String OWNER = host() + "-" + ProcessHandle.current().pid();

  private static String hostName;

  /** This host's name, from the kernel (no DNS lookup), in file-name-safe characters. */
  private static synchronized String host() {
    if (hostName == null) {
      String h;
      try {
        h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      } catch (IOException | RuntimeException e) {
        h = System.getenv().getOrDefault("HOSTNAME", "host");
      }
      hostName = h.isEmpty() ? "host" : h.replaceAll("[^A-Za-z0-9_-]", "_");
    }
    return hostName;
  }

  /**
   * Deletes the temporary files under {@code dir} that a process of this host left when it was
   * killed mid-write (its pid no longer runs); files of live processes and of other hosts stay.
   */
  public static void removeOrphanedTemporaries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    String prefix = host() + "-";
    java.util.regex.Pattern tmpName = java.util.regex.Pattern.compile(
        "^\\..*\\." + java.util.regex.Pattern.quote(prefix) + "(\\d+)\\.\\d*\\.tmp$");
    try (var files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        var m = tmpName.matcher(p.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // a directory changing under the walk (another worker): what is left is harmless
    }
  }

  /** Writes a UTF-8 string atomically. */
  public static void writeString(Path target, String text) {
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }
}
