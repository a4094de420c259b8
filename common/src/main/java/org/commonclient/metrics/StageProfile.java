package org.commonclient.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;

/**
 * A Spark listener for benchmarks: sums task run time, task CPU time and shuffle bytes of every
 * completed stage per job description (the label {@code SparkSessions.withJobGroup} sets), and
 * keeps the slowest stages. Task times are load-independent where wall times are not: on a shared
 * machine they show where the work is.
 */
public final class StageProfile extends SparkListener {
  /** Totals of one job description. */
  public static final class Totals {
    public int jobs;
    public int stages;
    public int tasks;
    public long runMillis;
    public long cpuNanos;
    public long shuffleWriteBytes;
    public long shuffleReadBytes;
  }

  private final Map<Integer, String> stageDescription = new ConcurrentHashMap<>();
  private final Map<String, Totals> byDescription = new LinkedHashMap<>();
  private final List<String[]> stages = new ArrayList<>(); // description, stage name, run ms, cpu ms, tasks

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    String d = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
    String desc = d == null ? "(no description)" : d;
    scala.collection.Iterator<Object> it = job.stageIds().iterator();
    while (it.hasNext()) {
      stageDescription.put((Integer) it.next(), desc);
    }
    synchronized (this) {
      byDescription.computeIfAbsent(desc, k -> new Totals()).jobs++;
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted done) {
    StageInfo s = done.stageInfo();
    String desc = stageDescription.getOrDefault(s.stageId(), "(no description)");
    var m = s.taskMetrics();
    if (m == null) {
      return;
    }
    synchronized (this) {
      Totals t = byDescription.computeIfAbsent(desc, k -> new Totals());
      t.stages++;
      t.tasks += s.numTasks();
      t.runMillis += m.executorRunTime();
      t.cpuNanos += m.executorCpuTime();
      t.shuffleWriteBytes += m.shuffleWriteMetrics().bytesWritten();
      t.shuffleReadBytes += m.shuffleReadMetrics().totalBytesRead();
      stages.add(new String[] {desc, s.name(), Long.toString(m.executorRunTime()),
          Long.toString(m.executorCpuTime() / 1_000_000), Integer.toString(s.numTasks())});
    }
  }

  /** A plain-text report: totals per description, then the {@code top} slowest stages. */
  public synchronized String report(int top) {
    StringBuilder sb = new StringBuilder();
    long run = 0;
    long cpu = 0;
    int nStages = 0;
    for (Map.Entry<String, Totals> e : byDescription.entrySet()) {
      Totals t = e.getValue();
      run += t.runMillis;
      cpu += t.cpuNanos;
      nStages += t.stages;
      sb.append(String.format("  spark: %-48s jobs %3d stages %3d tasks %5d task-run %7.1f s cpu %7.1f s"
              + " shuffle w/r %6.1f/%6.1f MB%n", e.getKey(), t.jobs, t.stages, t.tasks, t.runMillis / 1e3,
          t.cpuNanos / 1e9, t.shuffleWriteBytes / 1e6, t.shuffleReadBytes / 1e6));
    }
    sb.append(String.format("  spark total: stages %d task-run %.1f s task-cpu %.1f s%n", nStages, run / 1e3, cpu / 1e9));
    List<String[]> sorted = new ArrayList<>(stages);
    sorted.sort(Comparator.comparingLong((String[] a) -> Long.parseLong(a[2])).reversed());
    for (int i = 0; i < Math.min(top, sorted.size()); i++) {
      String[] a = sorted.get(i);
      sb.append(String.format("  slow stage: %6.1f s run %6.1f s cpu %4s tasks  [%s] %s%n",
          Long.parseLong(a[2]) / 1e3, Long.parseLong(a[3]) / 1e3, a[4], a[0], a[1]));
    }
    return sb.toString();
  }

  /** CPU time of this JVM so far (all threads: in local mode that includes the executors), ms. */
  public static long processCpuMillis() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1_000_000;
    }
    return -1;
  }
}
