package org.commonclient.jobs;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Drives a headless Chromium through its command line only (no extra dependency): {@code
 * --dump-dom} after the page's scripts ran, {@code --screenshot}, and console messages from
 * {@code --enable-logging=stderr} (lines with {@code :CONSOLE}).
 */
final class HeadlessChromium {
  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** The first of chromium, chromium-browser, google-chrome on the PATH. */
  static Optional<HeadlessChromium> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(new HeadlessChromium(p));
        }
      }
    }
    return Optional.empty();
  }

  /** What a page load produced. */
  record Load(String dom, List<String> consoleMessages, String stderr) {}

  private List<String> baseArgs(Path profile) {
    return new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--hide-scrollbars"));
  }

  /** Loads the page and returns the DOM after its scripts ran, with the console messages. */
  Load dumpDom(Path html) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> args = baseArgs(profile);
    args.add("--dump-dom");
    args.add(html.toUri().toString());
    Run r = run(args);
    List<String> console = r.stderr.lines().filter(l -> l.contains(":CONSOLE")).toList();
    return new Load(r.stdout, console, r.stderr);
  }

  /** Writes a PNG screenshot of the page (width x height viewport). */
  void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> args = baseArgs(profile);
    args.add("--window-size=" + width + "," + height);
    args.add("--screenshot=" + png.toAbsolutePath());
    args.add(html.toUri().toString());
    run(args);
  }

  private record Run(String stdout, String stderr) {}

  private static Run run(List<String> args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("chromium", ".out");
    Path err = Files.createTempFile("chromium", ".err");
    Process p = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("chromium did not finish in 90 s: " + args);
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("chromium exited with " + p.exitValue() + ": " + stderr);
    }
    return new Run(Files.readString(out, StandardCharsets.UTF_8), stderr);
  }
}
