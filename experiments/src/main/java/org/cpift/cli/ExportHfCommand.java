package org.cpift.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cpift.train.HfCheckpoint;
import org.cpift.train.ModelCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cpift export-hf}: a model written back as a Hugging Face directory. */
@Command(name = "export-hf", mixinStandardHelpOptions = true,
    description = "Write a model as a Hugging Face directory (config.json, model.safetensors, "
        + "tokenizer.json) that AutoModelForCausalLM.from_pretrained loads: a model a run saved "
        + "(run-method --save-model) or hf:DIR. Models of a Hugging Face family only (gpt2 or llama; cpift-gpt is refused).")
final class ExportHfCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "a model directory or hf:DIR")
  Path model;

  @Option(names = "--out", required = true, description = "the directory to write")
  Path out;

  @Override
  public Integer call() {
    CliChecks.writableDirectory(out, "--out");
    ModelCheckpoint m = ModelCheckpoint.load(model);
    HfCheckpoint.export(m, out);
    System.out.println("wrote " + m.config().family().id() + " model (" + m.params().numElements()
        + " parameters) to " + out);
    return 0;
  }
}
