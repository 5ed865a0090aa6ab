package org.cpift.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cpift.model.ModelConfig;
import org.cpift.train.Preset;
import org.cpift.train.TrainConfig;
import org.cpift.train.TrainRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpift pretrain}: pretrains a base model from scratch on the generic corpus. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pretrain a base model from scratch on the generic corpus (language modelling on "
        + "packed documents). The committed bases under benchmarks-data/base/<preset>/ were made "
        + "with this command and its defaults.")
final class PretrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

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

  @Option(names = "--family", defaultValue = "cpift-gpt", description = "model family of the new "
      + "model: cpift-gpt (this project's, character tokenizer), gpt2 or llama (a Hugging Face "
      + "layout; needs --tokenizer) (default: ${DEFAULT-VALUE})")
  String family;

  @Option(names = "--tokenizer", description = "a Hugging Face tokenizer.json (or its directory) "
      + "for a gpt2 or llama model, e.g. benchmarks-data/tokenizers/bpe-512")
  Path tokenizer;

  @Override
  public Integer call() {
    ModelConfig.Family fam = java.util.Arrays.stream(ModelConfig.Family.values())
        .filter(f -> f.id().equals(family)).findFirst().orElseThrow(() ->
            new CommandLine.ParameterException(spec.commandLine(), "--family: unknown family '"
                + family + "'; known: cpift-gpt, gpt2, llama"));
    if ((fam == ModelConfig.Family.CPIFT_GPT) != (tokenizer == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), fam
          == ModelConfig.Family.CPIFT_GPT ? "--tokenizer: a cpift-gpt model reads characters; "
          + "give --family gpt2 or llama with a Hugging Face tokenizer"
          : "--family " + family + " needs --tokenizer (e.g. benchmarks-data/tokenizers/bpe-512)");
    }
    if (init != null && (tokenizer != null || fam != ModelConfig.Family.CPIFT_GPT)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--init: a model continued "
          + "from --init keeps its family and tokenizer; drop --family and --tokenizer");
    }
    Preset p = presetOption.get();
    TrainConfig tc = p.pretraining();
    if (steps != null) {
      tc = tc.withSteps(steps);
    }
    if (lr != null) {
      tc = tc.withLr(lr);
    }
    tc = CliChecks.warmup(tc, warmupSteps, "--warmup-steps");
    ModelConfig mc = p.model(101).inFamily(fam);
    TrainRun.run(new TrainRun.Spec(mc, tc, corpus, null, init, out, seed, true, mixIn, tokenizer),
        "cpift pretrain --preset " + p.id() + " --corpus " + corpus
            + (tokenizer != null ? " --family " + family + " --tokenizer " + tokenizer : "")
            + (init != null ? " --init " + init : "") + (mixIn != null ? " --mix-in " + mixIn : "")
            + (steps != null ? " --steps " + steps : "") + (lr != null ? " --lr " + lr : "")
            + (warmupSteps != null ? " --warmup-steps " + warmupSteps : "") + " --seed " + seed
            + " --out " + out);
    return 0;
  }
}
