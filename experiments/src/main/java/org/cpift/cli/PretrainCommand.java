package org.cpift.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cpift.model.ModelConfig;
import org.cpift.train.Preset;
import org.cpift.train.TrainConfig;
import org.cpift.train.TrainRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpift pretrain}: pretrains a base model from scratch on the generic corpus. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pretrain a base model from scratch on the generic corpus (language modelling on "
        + "packed documents). The committed bases under benchmarks-data/base/<preset>/ were made "
        + "with this command and its defaults.")
final class PretrainCommand implements Callable<Integer> {
  @Mixin
  PresetOption presetOption = new PresetOption("small");

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(names = "--corpus", defaultValue = "benchmarks-data/corpus-v1/corpus.jsonl",
      description = "corpus JSONL (documents in \"answer\") (default: ${DEFAULT-VALUE})")
  Path corpus;

  @Option(names = "--seed", defaultValue = "0", description = "(default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--steps", description = "optimizer steps (default: the preset's)")
  Integer steps;

  @Option(names = "--init", description = "continue from this model (a second, general stage "
      + "after pretraining) instead of initializing from the seed")
  Path init;

  @Option(names = "--mix-in", description = "prompt/answer JSONL mixed into the packed corpus as "
      + "supervised examples (e.g. benchmarks-data/corpus-v2/warmup.jsonl)")
  Path mixIn;

  @Option(names = "--lr", description = "peak learning rate (default: the preset's)")
  Float lr;

  @Option(names = "--warmup-steps", description = "linear warm-up steps (default: the preset's)")
  Integer warmupSteps;

  @Override
  public Integer call() {
    Preset p = presetOption.get();
    TrainConfig tc = p.pretraining();
    if (steps != null) {
      tc = tc.withSteps(steps);
    }
    if (lr != null) {
      tc = tc.withLr(lr);
    }
    if (warmupSteps != null) {
      tc = tc.withWarmupSteps(warmupSteps);
    }
    ModelConfig mc = p.model(101);
    TrainRun.run(new TrainRun.Spec(mc, tc, corpus, null, init, out, seed, true, mixIn),
        "cpift pretrain --preset " + p.id() + " --corpus " + corpus
            + (init != null ? " --init " + init : "") + (mixIn != null ? " --mix-in " + mixIn : "")
            + (steps != null ? " --steps " + steps : "") + (lr != null ? " --lr " + lr : "")
            + (warmupSteps != null ? " --warmup-steps " + warmupSteps : "") + " --seed " + seed
            + " --out " + out);
    return 0;
  }
}
