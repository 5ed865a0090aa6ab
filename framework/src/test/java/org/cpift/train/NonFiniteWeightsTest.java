package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cpift.params.ParamSnapshot;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose weights hold NaN or ±Inf is refused on load, naming the tensor and the entry. */
class NonFiniteWeightsTest {
  static final Path TINY = Path.of("..", "benchmarks-data", "base", "tiny");
  @TempDir Path dir;

  @Test
  void nonFiniteWeightsAreRefusedOnLoad() {
    ModelCheckpoint base = ModelCheckpoint.load(TINY);
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      ParamSnapshot p = base.params().copy();
      String name = p.names().iterator().next();
      p.get(name).data()[3] = bad; // copy() copies the arrays
      assertTrue(Float.isFinite(base.params().get(name).data()[3]));
      Path out = dir.resolve("m" + Float.hashCode(bad));
      new ModelCheckpoint(base.config(), p, base.tokenizer()).save(out);
      CpiftException e = assertThrows(CpiftException.class, () -> ModelCheckpoint.load(out));
      assertTrue(e.getMessage().contains("tensor " + name) && e.getMessage().contains("entry 3"),
          e.getMessage());
    }
  }
}
