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

  @Test
  void aHuggingFaceTokenizersConfigIsInTheSumsOfAnExportAndOfASave() throws Exception {
    ModelCheckpoint llama = ModelCheckpoint.load(Path.of(HfCheckpoint.PREFIX
        + ROOT.resolve("benchmarks-data/base/tiny-llama")));
    Path exported = dir.resolve("exported");
    HfCheckpoint.export(llama, exported);
    String sums = Files.readString(exported.resolve(Checksums.FILE));
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json",
        "tokenizer_config.json"}) {
      assertTrue(sums.contains(Hashing.sha256(exported.resolve(f)) + "  " + f + "\n"), f + "\n"
          + sums);
    }
    // the shipped sums list the same four files, as a regeneration writes them
    assertEquals(4, Files.readAllLines(ROOT.resolve("benchmarks-data/base/tiny-llama")
        .resolve(Checksums.FILE)).size());
    assertEquals(4, Files.readAllLines(exported.resolve(Checksums.FILE)).size());
    Path saved = dir.resolve("saved");
    llama.save(saved);
    assertTrue(Files.readString(saved.resolve(Checksums.FILE)).contains(Hashing.sha256(
        saved.resolve("tokenizer_config.json")) + "  tokenizer_config.json\n"));
    // a folder holding a sharded checkpoint is refused (its shards would be loaded instead)
    Path sharded = Files.createDirectories(dir.resolve("sharded"));
    Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"weight_map\": {}}");
    CpiftException refused = assertThrows(CpiftException.class,
        () -> HfCheckpoint.export(llama, sharded));
    assertTrue(refused.getMessage().contains("holds a sharded checkpoint"), refused.getMessage());
    assertTrue(!Files.exists(sharded.resolve("model.safetensors")));
    // a changed tokenizer config (it names the special tokens) is caught on load
    Files.writeString(exported.resolve("tokenizer_config.json"), "{}");
    CpiftException e = assertThrows(CpiftException.class, () -> ModelCheckpoint.load(
        Path.of(HfCheckpoint.PREFIX + exported)));
    assertTrue(e.getMessage().startsWith("checksum mismatch for "
        + exported.resolve("tokenizer_config.json")), e.getMessage());
  }

  @Test
  void aBaseChangedInPlaceWithItsTimeKeptCannotEnterACacheKey() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("tiny"));
    for (String f : new String[] {"model.safetensors", "tokenizer.json", "SHA256SUMS"}) {
      Files.copy(ROOT.resolve("benchmarks-data/base/tiny").resolve(f), copy.resolve(f));
    }
    Path model = copy.resolve("model.safetensors");
    String shipped = ModelCheckpoint.digest(copy);
    ModelCheckpoint.load(copy); // verified: this process now takes the file by size and time
    var time = Files.getLastModifiedTime(model);
    try (RandomAccessFile raf = new RandomAccessFile(model.toFile(), "rw")) {
      raf.seek(Files.size(model) - 4);
      raf.write(new byte[] {0, 0, 64, 64});
    }
    Files.setLastModifiedTime(model, time); // the same size and time: a tool that keeps times
    CpiftException e = assertThrows(CpiftException.class, () -> ModelCheckpoint.digest(copy));
    assertTrue(e.getMessage().startsWith("checksum mismatch for " + model)
        && e.getMessage().contains(shipped), e.getMessage());
  }
}
