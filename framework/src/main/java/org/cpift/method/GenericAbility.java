package org.cpift.method;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cpift.data.EncodedExample;
import org.cpift.data.JsonlReader;
import org.cpift.data.Packing;
import org.cpift.data.SftRecord;
import org.cpift.train.Evaluator;
import org.cpift.train.ModelSession;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;

/**
 * The base's own ability, measured outside the suite: the mean next-token loss (nats per token)
 * of a model on the last {@link #CHUNKS} packed chunks of the corpus the base was pretrained on,
 * packed as pretraining packed it. The corpus is the one the base's {@code manifest.json} records
 * ({@code data.train}, checked against its SHA-256). Those chunks were seen in pretraining, so
 * this measures how much of the base's modelling of its own corpus a fine-tuned or edited model
 * has lost (forgetting), not generalization.
 */
public final class GenericAbility {
  /** Chunks scored: the corpus's last ones. */
  static final int CHUNKS = 200;
  private final List<EncodedExample> chunks;
  private final Path corpus;

  private GenericAbility(List<EncodedExample> chunks, Path corpus) {
    this.chunks = chunks;
    this.corpus = corpus;
  }

  /** The corpus of the context's base, from the base's manifest. */
  public static GenericAbility of(MethodContext ctx) {
    Path dir = ctx.baseDir();
    if (dir == null) {
      throw new CpiftException("measuring the base's own ability needs the base's directory "
          + "(its manifest.json names its pretraining corpus); this run did not record it");
    }
    Path manifest = dir.resolve("manifest.json");
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest.toFile());
    } catch (IOException e) {
      throw new CpiftException("measuring the base's own ability: cannot read " + manifest + " ("
          + e.getMessage() + "); it needs a base made by `cpift pretrain`, whose manifest names "
          + "its corpus");
    }
    if (!root.has("packed_chunks")) {
      throw new CpiftException("measuring the base's own ability: " + manifest + " records no "
          + "packed pretraining corpus (no packed_chunks): it needs a base made by `cpift "
          + "pretrain`, not a fine-tuned model");
    }
    com.fasterxml.jackson.databind.JsonNode data = root.path("data").path("train");
    if (!data.hasNonNull("path")) {
      throw new CpiftException("measuring the base's own ability: " + manifest + " names no "
          + "pretraining corpus (data.train.path); it needs a base made by `cpift pretrain`");
    }
    Path corpus = locate(Path.of(data.get("path").asText()), dir);
    String want = data.path("sha256").asText("");
    String got = Hashing.sha256(corpus);
    if (!want.isEmpty() && !want.equals(got)) {
      throw new CpiftException("measuring the base's own ability: " + corpus + " has SHA-256 "
          + got + " but the base was pretrained on " + want + " (" + manifest + "); restore the "
          + "corpus the base was made with");
    }
    List<String> docs = JsonlReader.read(corpus).stream().map(SftRecord::answer).toList();
    int context = ctx.base().config().contextLength();
    List<SftRecord> packed = Packing.pack(docs, context - 2);
    List<SftRecord> last = packed.subList(Math.max(0, packed.size() - CHUNKS), packed.size());
    return new GenericAbility(EncodedExample.encodeAll(last, ctx.base().tokenizer(), context,
        corpus.toString()), corpus);
  }

  /** A relative corpus path as given (from the working directory), else from the repository root above the base. */
  private static Path locate(Path p, Path baseDir) {
    if (Files.isRegularFile(p)) {
      return p;
    }
    if (!p.isAbsolute()) {
      for (Path up = baseDir.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
        if (Files.isRegularFile(up.resolve(p))) {
          return up.resolve(p);
        }
      }
    }
    throw new CpiftException("measuring the base's own ability: the base's pretraining corpus "
        + p + " was not found (from the working directory or above " + baseDir + ")");
  }

  /** The model's mean next-token loss on the chunks, nats per token. */
  public double loss(ModelSession m) {
    double[] sums = Evaluator.lossSums(m, chunks, 32);
    return sums[0] / Math.max(1, sums[1]);
  }

  public Path corpus() {
    return corpus;
  }

  public int chunks() {
    return chunks.size();
  }
}
