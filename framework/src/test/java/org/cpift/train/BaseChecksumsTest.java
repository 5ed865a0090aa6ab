package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cpift.util.Checksums;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped bases predate the digest inside safetensors files: their {@code SHA256SUMS} is
 * checked on every load, so a damaged base with finite weights is refused instead of giving
 * other scores; a model saved here writes its sums too.
 */
class BaseChecksumsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path dir;

  @Test
  void aDamagedShippedBaseIsRefusedAndASavedModelCarriesItsSums() throws Exception {
    for (String b : new String[] {"tiny", "small", "small-v1"}) {
      Path base = ROOT.resolve("benchmarks-data/base").resolve(b);
      assertTrue(Files.readString(base.resolve(Checksums.FILE)).contains(
          Hashing.sha256(base.resolve(ModelCheckpoint.MODEL_FILE)) + "  model.safetensors"), b);
    }
    Path copy = Files.createDirectories(dir.resolve("tiny"));
    for (String f : new String[] {"model.safetensors", "tokenizer.json", "SHA256SUMS"}) {
      Files.copy(ROOT.resolve("benchmarks-data/base/tiny").resolve(f), copy.resolve(f));
    }
    ModelCheckpoint ok = ModelCheckpoint.load(copy);
    // one weight's bytes changed to another finite value: the file still parses
    long offset = Files.size(copy.resolve("model.safetensors")) - 4;
    try (RandomAccessFile raf = new RandomAccessFile(copy.resolve("model.safetensors").toFile(),
        "rw")) {
      raf.seek(offset);
      raf.write(new byte[] {0, 0, 64, 64}); // 3.0f, little-endian
    }
    CpiftException e = assertThrows(CpiftException.class, () -> ModelCheckpoint.load(copy));
    assertTrue(e.getMessage().startsWith("checksum mismatch for "
        + copy.resolve("model.safetensors")), e.getMessage());
    // a save writes the sums of what it wrote, and the saved model loads
    Path saved = dir.resolve("saved");
    Files.createDirectories(saved);
    ok.save(saved);
    assertEquals(Hashing.sha256(saved.resolve("model.safetensors")) + "  model.safetensors\n"
        + Hashing.sha256(saved.resolve("tokenizer.json")) + "  tokenizer.json\n",
        Files.readString(saved.resolve(Checksums.FILE)));
    assertEquals(ok.params().params().size(), ModelCheckpoint.load(saved).params().params()
        .size());
  }
}
