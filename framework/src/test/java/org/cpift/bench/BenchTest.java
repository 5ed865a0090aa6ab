package org.cpift.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cpift.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark arithmetic and plumbing (no timing is asserted). */
class BenchTest {
  @TempDir
  Path dir;

  @Test
  void medianOfOddAndEvenLengths() {
    assertEquals(2.0, Timing.median(new double[] {3, 1, 2}));
    assertEquals(2.5, Timing.median(new double[] {4, 1, 3, 2}));
  }

  @Test
  void tableLooksUpAndWritesCsv() throws Exception {
    BenchTable t = new BenchTable().add("step", "S1", "ms_per_step", 60.5, "ms", "median, of 10")
        .add("step", "S1", "gflops", 176, "GFLOP/s", "");
    assertEquals(60.5, t.value("step", "S1", "ms_per_step"));
    assertTrue(Double.isNaN(t.value("step", "S2", "ms_per_step")));
    Path f = dir.resolve("bench.csv");
    t.writeCsv(f);
    var lines = Files.readAllLines(f);
    assertEquals("benchmark,case,metric,value,unit,note", lines.get(0));
    assertEquals("step,S1,ms_per_step,60.5,ms,\"median, of 10\"", lines.get(1));
    assertEquals(3, lines.size());
  }

  /** Fusion throughput is (k + 1)·4·N bytes over the fusion time; the fused model has N entries. */
  @Test
  void mergeBenchmarkCountsBytes() {
    ModelConfig c = ModelConfig.tiny(20);
    MergeBenchmark.Result r = MergeBenchmark.run(c, 3, 1.0, 0, 1, 1);
    assertEquals(c.numParams(), r.params());
    assertEquals(4.0 * 4 * c.numParams() / r.fuseSeconds() / 1e9, r.fuseGbPerSecond(), 1e-9);
  }

  @Test
  void copyAndMatMulFiguresAreConsistent() {
    CopyBandwidth.Result c = CopyBandwidth.run(1 << 16, 0, 2, 2);
    assertEquals(8L << 16, c.bytes());
    assertEquals(c.bytes() / c.medianSeconds() / 1e9, c.gbPerSecond(), 1e-9);
    MatMulPeak.Result m = MatMulPeak.run(64, 0, 1);
    assertEquals(2.0 * 64 * 64 * 64 / m.medianSeconds() / 1e9, m.gflops(), 1e-9);
    // the mixed-precision product runs on this build's CPU kernels, non-square too
    assertTrue(MatMulPeak.product(48, 16, 32, true, 0, 1) > 0);
    assertThrows(IllegalArgumentException.class, () -> MatMulPeak.product(0, 16, 32, true, 0, 1));
    // and the whole model's forward and backward pass builds and runs in bfloat16 on the CPU
    assertTrue(PrecisionBenchmark.forwardBackward(ModelConfig.tiny(20), org.tensorflow.types
        .TBfloat16.class, 2, 8, 0, 1) > 0);
  }
}
