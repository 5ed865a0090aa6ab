package org.cpift.cli;

import java.util.concurrent.Callable;
import org.cpift.model.ModelConfig;
import org.cpift.train.Preset;
import org.cpift.train.StepBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpift bench}: performance measurements that print figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Performance benchmarks (they print figures; nothing is asserted).",
    subcommands = {BenchCommand.Step.class})
final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code cpift bench step}: the full training step. */
  @Command(name = "step", mixinStandardHelpOptions = true,
      description = "Time the full training step (forward, backward, masked AdamW) and print "
          + "ms/step, tokens/s and GFLOP/s.")
  static final class Step implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "tiny", description = "tiny or small (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--batch-size", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--length", description = "sequence length (default: the preset's context)")
    Integer length;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--repeats", defaultValue = "20", description = "timed steps (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--shape", description = "instead of a preset: S1 (d=128, 4 layers, 4 heads, "
        + "T=64, B=32, V=96) or S2 (d=256, 4 layers, 4 heads, T=128, B=16, V=96)")
    String shape;

    @Option(names = "--peer", description = "also time the same step in PyTorch "
        + "(benchmarks/peer/gpt_step.py with /usr/bin/python3) and print the ratio")
    boolean peer;

    @Override
    public Integer call() {
      if (batch < 1 || warmup < 0 || repeats < 1) {
        throw new IllegalArgumentException("--batch-size and --repeats must be >= 1, --warmup >= 0");
      }
      ModelConfig mc = Preset.parse(preset).model(101);
      if (shape != null) {
        switch (shape.toUpperCase()) {
          case "S1" -> {
            mc = new ModelConfig(96, 128, 4, 4, 64, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
            batch = 32;
          }
          case "S2" -> {
            mc = new ModelConfig(96, 256, 4, 4, 128, 4, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
            batch = 16;
          }
          default -> throw new IllegalArgumentException("--shape must be S1 or S2, got " + shape);
        }
      }
      int t = length != null ? length : mc.contextLength();
      if (t < 1 || t > mc.contextLength()) {
        throw new IllegalArgumentException("--length must be in 1.." + mc.contextLength());
      }
      StepBenchmark.Result r = StepBenchmark.run(mc, batch, t, warmup, repeats, 1);
      System.out.printf("%-8s %10s %6s %6s %10s %10s %12s %9s%n", "model", "params", "batch",
          "length", "ms/step", "min ms", "tokens/s", "GFLOP/s");
      System.out.printf("%-8s %10d %6d %6d %10.2f %10.2f %12.0f %9.1f%n", shape != null ? shape : preset, r.params(),
          r.batch(), r.length(), r.medianMs(), r.minMs(), r.tokensPerSecond(), r.gflops());
      System.out.printf("(median of %d steps after %d warm-up; %d cores; FLOPs = 6·N + 12·L·T·d per token)%n",
          repeats, warmup, Runtime.getRuntime().availableProcessors());
      if (peer) {
        Double peerMs = PeerStep.run(mc, batch, t, warmup, repeats);
        if (peerMs != null) {
          System.out.printf("PyTorch peer: %.2f ms/step; peer time / our time = %.2f%n", peerMs,
              peerMs / r.medianMs());
        }
      }
      return 0;
    }
  }
}
