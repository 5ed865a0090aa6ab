package org.cpift.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.model.ModelConfig;
import org.cpift.train.GreedyGenerator;
import org.cpift.train.ModelCheckpoint;
import org.cpift.train.ModelSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cpift generate}: the greedy continuation of a prompt by a model (a committed base, a
 * model a run saved, or a Hugging Face directory as {@code hf:DIR}).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Greedy continuation of --prompt by a model. A Hugging Face model continues the "
        + "prompt's own tokens (no special tokens added); one of this project's character models "
        + "gets its fine-tuning form, <bos> prompt <sep>, and answers.")
final class GenerateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--base", required = true, description = "the model: a model directory "
      + "(benchmarks-data/base/small, a run's saved model) or hf:DIR")
  Path base;

  @Option(names = "--prompt", required = true, description = "the text to continue")
  String prompt;

  @Option(names = "--max-new-tokens", defaultValue = "32", description = "at most this many "
      + "tokens (default: ${DEFAULT-VALUE}); fewer when the model ends the sequence or the "
      + "context is full")
  int maxNewTokens;

  @Option(names = "--ids", description = "print the generated token ids on one line instead of text")
  boolean ids;

  @Override
  public Integer call() {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
    }
    ModelCheckpoint m = ModelCheckpoint.load(base);
    int[] input = m.config().family() == ModelConfig.Family.CPIFT_GPT
        ? EncodedExample.encode(new SftRecord(prompt, ""), m.tokenizer(),
            m.config().contextLength(), "--prompt").promptTokens()
        : m.tokenizer().encode(prompt, "--prompt");
    if (input.length == 0) {
      throw new IllegalArgumentException("--prompt is empty after tokenization; give some text");
    }
    if (input.length >= m.config().contextLength()) {
      // counted before any truncation, with the special tokens the project's models add
      int raw = m.tokenizer().encode(prompt, "--prompt").length;
      int added = m.config().family() == ModelConfig.Family.CPIFT_GPT ? 2 : 0;
      throw new IllegalArgumentException("--prompt has " + raw + " tokens" + (added > 0
          ? " (" + (raw + added) + " with <bos> and <sep>)" : "") + "; the model's context "
          + "holds " + m.config().contextLength() + ", leaving no room to generate");
    }
    int room = Math.min(maxNewTokens, m.config().contextLength() - input.length);
    int[] out;
    try (ModelSession s = ModelSession.create(m.config(), null, 0)) {
      s.loadParameters(m.params());
      out = GreedyGenerator.generate(s, List.of(input), room, 1, m.tokenizer().eos()).get(0);
    }
    spec.commandLine().getOut().println(ids
        ? Arrays.stream(out).mapToObj(String::valueOf).collect(Collectors.joining(" "))
        : m.tokenizer().decode(out));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
