package org.cpift.train;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.cpift.util.Hashing;
import org.cpift.util.Json;
import org.tensorflow.TensorFlow;

/**
 * Provenance of a run, written as {@code manifest.json} (after Tribuo's provenance): the command,
 * full configuration, seed, git commit, Java/TF/library versions, machine, data checksums, losses
 * and wall time. Built incrementally; {@link #write} is atomic.
 */
public final class RunManifest {
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final Map<String, Object> data = new LinkedHashMap<>();
  private final long startNanos = System.nanoTime();

  public RunManifest(String command) {
    fields.put("command", command);
    fields.put("started_at", Instant.now().toString());
    fields.put("git_commit", gitCommit());
    fields.put("versions", versions());
    fields.put("machine", machine());
    fields.put("data", data);
  }

  /** Sets a top-level field (config objects are serialized as JSON). */
  public RunManifest put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** Records a data file with its SHA-256 and the number of records read from it. */
  public RunManifest addData(String role, Path file, int records) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("path", file.toString());
    d.put("sha256", Hashing.sha256(file));
    d.put("records", records);
    data.put(role, d);
    return this;
  }

  public Object get(String key) {
    return fields.get(key);
  }

  /** Stamps the finish time and wall time, then writes {@code file} atomically. */
  public void write(Path file) {
    Json.writeFile(file, finish());
  }

  /** Stamps the finish time and wall time and returns every field (a live map). */
  public Map<String, Object> finish() {
    fields.put("finished_at", Instant.now().toString());
    fields.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
    return fields;
  }

  /**
   * The current git commit ({@code -dirty} when tracked files outside {@code reports/} have
   * changes), or "unknown";
   * {@code CPIFT_GIT_COMMIT} overrides it.
   */
  public static String gitCommit() {
    // a job running a jar copied aside while the work tree moves on says which commit it was built
    // from
    String pinned = System.getenv("CPIFT_GIT_COMMIT");
    if (pinned != null && !pinned.isBlank()) {
      return pinned.strip();
    }
    String head = run(List.of("git", "rev-parse", "HEAD"));
    if (head == null || head.isBlank()) {
      return "unknown";
    }
    // reports/ holds outputs, not inputs: a reproduce run rewriting earlier experiments' reports
    // must not mark its own later experiments dirty
    String status = run(List.of("git", "status", "--porcelain", "--untracked-files=no", "--",
        ":(top)", ":(top,exclude)reports"));
    return head.strip() + (status != null && !status.isBlank() ? "-dirty" : "");
  }

  private static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return out;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static Map<String, Object> versions() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    v.put("tensorflow_native", TensorFlow.version());
    v.put("tensorflow_java", mavenVersion("org.tensorflow", "tensorflow-core-api"));
    v.put("jackson", mavenVersion("com.fasterxml.jackson.core", "jackson-databind"));
    v.put("slf4j", mavenVersion("org.slf4j", "slf4j-api"));
    v.put("smile", jarVersion("smile.clustering.HierarchicalClustering"));
    v.put("commons_math", mavenVersion("org.apache.commons", "commons-math3"));
    v.put("tablesaw", mavenVersion("tech.tablesaw", "tablesaw-core"));
    v.put("picocli", jarVersion("picocli.CommandLine"));
    v.put("cpift", mavenVersion("org.cpift", "cpift-framework"));
    return v;
  }

  /** The Implementation-Version of the jar holding a class (when present), or "unknown". */
  static String jarVersion(String className) {
    try {
      Package p = Class.forName(className, false, RunManifest.class.getClassLoader()).getPackage();
      String v = p == null ? null : p.getImplementationVersion();
      return v == null ? "unknown" : v;
    } catch (ClassNotFoundException | LinkageError e) {
      return "unknown";
    }
  }

  /** A library's version from its jar's Maven metadata, or "unknown". */
  public static String mavenVersion(String group, String artifact) {
    String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = RunManifest.class.getResourceAsStream(res)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "unknown";
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("arch", System.getProperty("os.arch"));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    try {
      var os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
        m.put("physical_memory_bytes", sun.getTotalMemorySize());
      }
    } catch (RuntimeException | LinkageError ignored) {
      // not available on this JVM
    }
    m.put("cpu", cpuModel());
    try {
      m.put("hostname", InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      m.put("hostname", "unknown");
    }
    return m;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    return "unknown";
  }
}
