package org.explainj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.explainj.ExplainException;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.job.ExplainOptions;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.explainj.model.Threads;
import org.explainj.model.ScoreKind;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Times a forward pass and every method on a model (the demo's by default) in one run and prints each
 * method's cost as a ratio to the forward pass and against its performance goal (ratios measured together
 * are comparable across machines); also the cold start of one command-line explanation and a tiled field.
 */
final class Bench {

	/** Cells (at most 139 pixels) one every this many pixels in the tiled benchmark's field. */
	static final int CELL_SPACING = 150;

	/**
	 * Seconds of repeated calls a method gets per batch size: slower methods get fewer rounds (at least 3, but
	 * one for a call longer than this).
	 */
	static final double BUDGET_S = 20;

	/**
	 * Seconds each task is called, untimed, before it is timed (its first call counts): a JVM runs a call path
	 * interpreted for its first few hundred calls (a batch-1 Grad-CAM call took 4.4 ms over its first 25 calls
	 * and 1.3 ms after 500, same graph), and warm times are those of the compiled path.
	 */
	static final double WARMUP_S = 2;

	static final java.util.Set<String> OPTIONS = java.util.Set.of("repeats", "model", "methods", "threads", "tiled",
		"method", "window", "window-stride", "cold-start", "profile", "batch", "warmup-s");

	private Bench() {}

	static void run(Arguments a, PrintStream out) {
		String threads = a.get("threads", null);
		if (threads != null) {
			Threads.pools(threads);
			System.setProperty(Threads.PROPERTY, threads);
		}
		if (a.get("warmup-s", null) != null && (a.get("tiled", null) != null || a.get("cold-start", null) != null))
			throw new ExplainException("--warmup-s applies to the method table and --profile only.", "Leave it out " +
				"with --tiled and --cold-start, which time a run from its start.");
		if (a.get("tiled", null) != null) {
			tiled(a.integer("tiled", 2048), a.get("method", "gradient"), a.integer("window", CELL_SPACING), a.integer(
				"window-stride", CELL_SPACING), out);
			return;
		}
		if (a.get("cold-start", null) != null) {
			int runs = a.integer("cold-start", 5);
			if (runs < 1) throw new ExplainException("--cold-start " + runs + " is not positive.", "Give the number of " +
				"runs, e.g. --cold-start 5.");
			coldStart(a.get("method", "gradient"), runs, out);
			return;
		}
		int repeats = a.integer("repeats", 21);
		if (repeats < 1) throw new ExplainException("--repeats " + repeats + " is not positive.", "Use 1 or more.");
		String m = a.get("model", Demo.MODEL);
		double warmup = a.number("warmup-s", WARMUP_S);
		if (!(warmup >= 0 && warmup <= 600)) throw new ExplainException("--warmup-s " + a.get("warmup-s", null) +
			" is not between 0 and 600 seconds.", "Give the seconds of untimed calls before timing, e.g. --warmup-s 2.");
		if (a.get("batch", null) != null && a.get("profile", null) == null) throw new ExplainException("--batch applies to " +
			"--profile only.", "Give --profile METHOD with it; the table times batch 1 and 32.");
		if (a.get("profile", null) != null) {
			int n = a.integer("batch", 32);
			if (n < 1) throw new ExplainException("--batch " + n + " is not positive.", "Use 1 or more.");
			try (ModelCache.Lease lease = ModelCache.shared().acquire(Demo.home().resolve(m), false)) {
				profile(lease.model(), Methods.byName(a.get("profile", null)), n, repeats, warmup, out);
			}
			return;
		}
		List<AttributionMethod> methods = a.get("methods", null) == null ? Methods.all() : java.util.Arrays.stream(a
			.get("methods", null).split(",")).map(String::trim).map(Methods::byName).toList();
		try (ModelCache.Lease lease = ModelCache.shared().acquire(Demo.home().resolve(m), false)) {
			bench(lease.model(), m, methods, repeats, warmup, out);
			if (methods.contains(Methods.byName("lrp-epsilon"))) sweep(lease.model(), out);
		}
	}

	/** Op types and single ops listed by a profile. */
	static final int PROFILE_TYPES = 15, PROFILE_OPS = 8;

	/**
	 * Where one method's time goes: {@code repeats} runs traced by TensorFlow after {@code warmup} seconds of
	 * calls and {@code repeats} untraced ones, each op's time summed by op type and by op (ops run in parallel
	 * on the intra- and inter-op threads, so their sum exceeds the wall time), beside the untraced wall time of
	 * a call.
	 */
	private static void profile(ClassifierModel model, AttributionMethod method, int n, int repeats, double warmup,
		PrintStream out)
	{
		InputBatch batch = randomBatch(model, n);
		Map<String, double[]> byType = new java.util.HashMap<>(), byOp = new java.util.HashMap<>();
		long[] ops = { 0 };
		Explainer plain = new Explainer(model), traced = plain.traced(stats -> {
			for (var device : stats.getDevStatsList()) for (var node : device.getNodeStatsList()) {
				// a timeline label reads "name = Type(inputs)" (oneDNN kernels keep their _Mkl names)
				String type = node.getTimelineLabel().replaceFirst("^[^=]*= ", "").replaceFirst("\\(.*", "");
				double us = node.getAllEndRelMicros();
				add(byType, type, us);
				add(byOp, node.getNodeName() + " (" + type + ")", us);
				ops[0]++;
			}
		});
		java.util.function.Consumer<Explainer> call = e -> e.explain(method, batch, Target.TOP, ScoreKind.LOGIT,
			Reduction.NONE, ExplainOptions.DEFAULT_BATCH_SIZE);
		warm(() -> call.accept(plain), warmup);
		List<Double> wall = new ArrayList<>();
		for (int i = 0; i < repeats; i++) wall.add(millis(() -> call.accept(plain)));
		for (int i = 0; i < repeats; i++) call.accept(traced);
		double total = byType.values().stream().mapToDouble(v -> v[0]).sum();
		out.printf(Locale.ROOT, "profile: %s at batch %d on %s, %d runs: %.2f ms a call (median, untraced); traced: %d ops " +
			"executed and %.2f ms of op time a call (ops overlap on the threads)%n", method.name(), n, model.path()
				.getFileName(), repeats, median(wall), ops[0] / repeats, total / 1000 / repeats);
		out.println("ops/call   ms/call   share  op type");
		print(byType, PROFILE_TYPES, repeats, total, out);
		out.println("heaviest ops (name, type)");
		print(byOp, PROFILE_OPS, repeats, total, out);
	}

	private static void add(Map<String, double[]> table, String key, double us) {
		double[] v = table.computeIfAbsent(key, k -> new double[2]);
		v[0] += us;
		v[1]++;
	}

	private static void print(Map<String, double[]> table, int rows, int repeats, double total, PrintStream out) {
		table.entrySet().stream().sorted((p, q) -> Double.compare(q.getValue()[0], p.getValue()[0])).limit(rows).forEach(
			e -> out.printf(Locale.ROOT, "%8.1f  %8.3f  %5.1f%%  %s%n", e.getValue()[1] / repeats, e.getValue()[0] / 1000 /
				repeats, 100 * e.getValue()[0] / total, e.getKey()));
	}

	/** Values in the parameter sweep. */
	static final int SWEEP = 50;

	/**
	 * LRP-epsilon at batch 1 over {@link #SWEEP} epsilons against the same epsilon as often, interleaved: time a
	 * run and the graph's operations before and after (a fed value reuses one graph).
	 */
	private static void sweep(ClassifierModel model, PrintStream out) {
		AttributionMethod lrp = Methods.byName("lrp-epsilon");
		InputBatch batch = randomBatch(model, 1);
		Explainer explainer = new Explainer(model);
		java.util.function.DoubleConsumer run = epsilon -> explainer.explain(lrp, MethodSettings.of(lrp, java.util.Map.of(
			"epsilon", Double.toString(epsilon))), batch, null, Target.TOP, ScoreKind.LOGIT, Reduction.NONE,
			ExplainOptions.DEFAULT_BATCH_SIZE, (done, total) -> {});
		try {
			run.accept(0.01);
		}
		catch (ExplainException e) {
			// the table has already said why in the lrp-epsilon row
			out.println("sweep: lrp-epsilon does not run on this model");
			return;
		}
		run.accept(0.5);
		int before = model.graphSize();
		List<Double> same = new ArrayList<>(), swept = new ArrayList<>();
		for (int i = 1; i <= SWEEP; i++) {
			same.add(millis(() -> run.accept(0.01)));
			double epsilon = i * 0.002;
			swept.add(millis(() -> run.accept(epsilon)));
		}
		out.printf(Locale.ROOT, "sweep: lrp-epsilon at batch 1, %d epsilons 0.002..%.3f: median %.2f ms a run; one epsilon " +
			"%d times: %.2f ms; graph operations %d before the sweep, %d after%n", SWEEP, SWEEP * 0.002, median(swept), SWEEP,
			median(same), before, model.graphSize());
	}

	private static double median(List<Double> ms) {
		double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length /
			2]) / 2;
	}

	/**
	 * Per batch size: every method's first call (which builds its graph at batch 1), untimed calls for
	 * {@code warmup} seconds, then interleaved rounds (forward and each method once, the order rotated from round
	 * to round), so that load from other processes and the after-effects of a long call hit all alike; medians.
	 */
	private static void bench(ClassifierModel model, String m, List<AttributionMethod> methods, int repeats,
		double warmup, PrintStream out)
	{
		String name = Path.of(m).getFileName().toString().replaceFirst("\\.pb$", "");
		out.printf(Locale.ROOT, "model %s, threads %s, batch size %d evaluations a run, %s s of untimed calls a method, " +
			"then up to %d interleaved rounds (fewer for slow methods, %.0f s each), medians in ms%n", name, System
				.getProperty(Threads.PROPERTY, "auto"), ExplainOptions.DEFAULT_BATCH_SIZE, Double.toString(warmup), repeats,
			BUDGET_S);
		out.println("batch  method                cold_ms   median_ms  /forward  target                        ratio  met");
		AttributionMethod gradientMethod = Methods.byName("gradient");
		for (int n : new int[] { 1, 32 }) {
			InputBatch batch = randomBatch(model, n);
			List<Timed> timed = new ArrayList<>();
			timed.add(new Timed("forward", null, () -> forward(model, batch)));
			Explainer explainer = new Explainer(model);
			for (AttributionMethod method : methods) timed.add(new Timed(method.name(), method, () -> explainer.explain(method,
				batch, Target.TOP, ScoreKind.LOGIT, Reduction.NONE, ExplainOptions.DEFAULT_BATCH_SIZE)));
			if (!methods.contains(gradientMethod)) timed.add(new Timed(gradientMethod.name(), gradientMethod, () -> explainer
				.explain(gradientMethod, batch, Target.TOP, ScoreKind.LOGIT, Reduction.NONE, ExplainOptions.DEFAULT_BATCH_SIZE)));
			for (Timed t : timed) t.cold(repeats);
			for (Timed t : timed) t.warm(warmup);
			// each round starts one task further on: a call right after a long method's ran measurably slower
			for (int round = 0; round < repeats; round++) for (int i = 0; i < timed.size(); i++) timed.get((round + i) % timed
				.size()).round(round);
			double forward = timed.get(0).median(), gradient = timed.stream().filter(t -> t.method == gradientMethod)
				.findFirst().orElseThrow().median();
			for (Timed t : timed) {
				if (t.failure != null) {
					out.printf(Locale.ROOT, "%5d  %-20s  n/a: %s%n", n, t.name, t.failure);
					continue;
				}
				Goal goal = t.method == null ? null : Goal.of(t.method, model, forward, gradient);
				double median = t.median();
				out.printf(Locale.ROOT, "%5d  %-20s %8.1f  %10.2f  %8.2f  %-28s %6s  %s%n", n, t.name, t.cold, median, median /
					forward, goal == null ? "" : goal.text, goal == null ? "" : String.format(Locale.ROOT, "%.2f", median /
						goal.unitMs), goal == null ? "" : median <= goal.limit * goal.unitMs ? "yes" : "NO");
			}
		}
	}

	/** One timed task: its first call and its rounds' times. */
	private static final class Timed {
		final String name;
		final AttributionMethod method;
		final Runnable task;
		double cold;
		int rounds;
		String failure;
		final List<Double> ms = new ArrayList<>();

		Timed(String name, AttributionMethod method, Runnable task) {
			this.name = name;
			this.method = method;
			this.task = task;
		}

		void cold(int repeats) {
			try {
				cold = millis(task);
				// a call longer than the whole budget is timed once more; others at least 3 times
				rounds = cold > BUDGET_S * 1000 ? 1 : (int) Math.min(repeats, Math.max(3, BUDGET_S * 1000 / Math.max(cold,
					1e-3)));
			}
			catch (ExplainException e) {
				failure = e.getMessage();
			}
		}

		/** The rest of the warm-up after the first call: none where that call took as long. */
		void warm(double seconds) {
			if (failure == null && cold < seconds * 1000) Bench.warm(task, seconds - cold / 1000);
		}

		void round(int round) {
			if (failure == null && round < rounds) ms.add(millis(task));
		}

		double median() {
			return Bench.median(ms);
		}
	}

	/** Calls the task for the given seconds, at least once, untimed. */
	private static void warm(Runnable task, double seconds) {
		long end = System.nanoTime() + (long) (seconds * 1e9);
		do task.run();
		while (System.nanoTime() < end);
	}

	private static double millis(Runnable task) {
		long t0 = System.nanoTime();
		task.run();
		return (System.nanoTime() - t0) / 1e6;
	}

	/**
	 * The time a method may take by the performance goals: {@code limit} times {@code unitMs} (a forward pass,
	 * or k gradients or forward passes of the same batch for methods that evaluate the network k times).
	 */
	private record Goal(String text, double limit, double unitMs) {

		static Goal of(AttributionMethod method, ClassifierModel model, double forward, double gradient) {
			MethodSettings s = MethodSettings.defaults(method);
			return switch (method.name()) {
				case "gradient", "saliency", "grad-cam" -> new Goal("<= 2.5 forward", 2.5, forward);
				case "lrp-epsilon", "lrp-0" -> new Goal("<= 3 forward", 3, forward);
				case "lrp-alpha-beta", "lrp-zplus", "deep-taylor", "deeplift" -> new Goal("<= 4 forward", 4, forward);
				case "integrated-gradients" -> perPass("gradients", 1.05, s.integer("steps"), gradient);
				case "smoothgrad" -> perPass("gradients", 1.05, s.integer("samples"), gradient);
				case "occlusion" -> perPass("forwards", 1.1, method.parts(s, model.height(), model.width()), forward);
				default -> null;
			};
		}

		private static Goal perPass(String what, double limit, int k, double unit) {
			return new Goal(String.format(Locale.ROOT, "<= %.2f x %d %s", limit, k, what), limit, k * unit);
		}
	}

	private static void forward(ClassifierModel model, InputBatch batch) {
		try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch.n(), batch.height(), batch.width(), batch.channels()),
				DataBuffers.of(batch.data(), true, false));
			Result r = model.session().runner().feed(model.input(), x).fetch(model.output()).run())
		{
			r.get(0);
		}
	}

	/**
	 * {@code runs} times, one explanation of one bundled cell by the command line in a new JVM (as
	 * bin/explainj runs it): wall time from start to exit and peak resident memory (VmHWM of the child,
	 * read every 2 ms while it runs); medians.
	 */
	private static void coldStart(String method, int runs, PrintStream out) {
		Path home = Demo.home();
		Path image;
		try (var files = java.nio.file.Files.list(home.resolve("test-images/images/malaria"))) {
			image = files.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
		}
		catch (java.io.IOException e) {
			throw new ExplainException("Cannot read the bundled cells.", "Run from the repository.");
		}
		double[] seconds = new double[runs];
		long[] peaks = new long[runs];
		for (int i = 0; i < runs; i++) {
			Path dir;
			try {
				dir = java.nio.file.Files.createTempDirectory("explainj-cold");
			}
			catch (java.io.IOException e) {
				throw new ExplainException("Cannot make a temporary folder: " + e.getMessage(), "Check the temporary folder.");
			}
			List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Djava.awt.headless=true", "-D" + Threads.PROPERTY + "=" + System.getProperty(Threads.PROPERTY, "auto"),
				"-Dexplainj.home=" + home, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "explain",
				"--model", home.resolve(Demo.MODEL).toString(), "--image", image.toString(), "--method", method, "--out", dir
					.resolve("map.tif").toString());
			long t0 = System.nanoTime();
			try {
				ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt")
					.toFile());
				pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
				Process p = pb.start();
				Path status = Path.of("/proc", Long.toString(p.pid()), "status");
				long peak = 0;
				while (!p.waitFor(2, java.util.concurrent.TimeUnit.MILLISECONDS)) peak = Math.max(peak, kb(status, "VmHWM"));
				seconds[i] = (System.nanoTime() - t0) / 1e9;
				peaks[i] = peak;
				if (p.exitValue() != 0) throw new ExplainException("The cold-start run failed: " + java.nio.file.Files
					.readString(dir.resolve("log.txt")).strip(), "Run the explain command by hand to see why.");
				for (String f : List.of("map.tif", "log.txt")) java.nio.file.Files.deleteIfExists(dir.resolve(f));
				java.nio.file.Files.deleteIfExists(dir);
			}
			catch (java.io.IOException | InterruptedException e) {
				throw new ExplainException("Cannot run the cold-start child process: " + e.getMessage(),
					"Check that java is runnable.");
			}
		}
		Arrays.sort(seconds);
		Arrays.sort(peaks);
		out.printf(Locale.ROOT, "cold start: explain --method %s of one cell in a new JVM, %d runs: wall %.2f s " +
			"(median; min %.2f, max %.2f), peak RSS %d MB (median; min %d, max %d)%n", method, runs, seconds[runs / 2],
			seconds[0], seconds[runs - 1], peaks[runs / 2] / 1024, peaks[0] / 1024, peaks[runs - 1] / 1024);
	}

	private static long kb(Path status, String field) {
		try {
			return java.nio.file.Files.readAllLines(status).stream().filter(l -> l.startsWith(field + ":")).map(l -> Long
				.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
		}
		catch (java.io.IOException e) {
			// the process ended between two reads
			return 0;
		}
	}

	/**
	 * A size x size field of the bundled cells, one every {@link #CELL_SPACING} pixels on black, tiled with
	 * windows of that size and stride (each window holds one cell, resized to the model's 44 px input) or
	 * the given ones:
	 * windows, time and the process's peak resident memory (VmHWM), which
	 * includes the field itself, the map, the class map and the top-class image. Run one per process.
	 */
	private static void tiled(int size, String method, int window, int stride, PrintStream out) {
		if (size < CELL_SPACING) throw new ExplainException("--tiled " + size + " is smaller than a cell's window (" +
			CELL_SPACING + " pixels).", "Give a field size of " + CELL_SPACING + " pixels or more, e.g. --tiled 2048.");
		ij.process.ColorProcessor field = new ij.process.ColorProcessor(size, size);
		java.nio.file.Path cells = Demo.home().resolve("test-images/images/malaria");
		List<ij.ImagePlus> crops;
		try (var files = java.nio.file.Files.list(cells)) {
			crops = files.filter(p -> p.toString().endsWith(".png")).sorted().map(p -> ij.IJ.openImage(p.toString())).toList();
		}
		catch (java.io.IOException e) {
			throw new ExplainException("Cannot read the bundled cells in " + cells + ".", "Run from the repository.");
		}
		int k = 0;
		for (int y = 0; y + CELL_SPACING <= size; y += CELL_SPACING) for (int x = 0; x + CELL_SPACING <= size; x +=
			CELL_SPACING) field.insert(crops.get(k++ % crops
			.size()).getProcessor(), x, y);
		long start = System.nanoTime();
		var result = org.explainj.job.ExplainJob.run(new ij.ImagePlus("field", field), org.explainj.job.ExplainOptions
			.defaults(Demo.home().resolve(Demo.MODEL), method).withGeometry(new org.explainj.image.Geometry(
				org.explainj.image.Geometry.Kind.TILE, window, stride, List.of())));
		double seconds = (System.nanoTime() - start) / 1e9;
		out.printf(Locale.ROOT, "tiled %s, %d x %d field, %d cells, window %d, stride %d, %d windows: %.1f s, peak RSS " +
			"%d MB%n", method, size, size, k, window, stride, result.rows().get(0).windows(), seconds, peakKb() / 1024);
	}

	private static long peakKb() {
		return kb(Path.of("/proc/self/status"), "VmHWM");
	}

	private static InputBatch randomBatch(ClassifierModel model, int n) {
		int h = model.height(), w = model.width(), c = model.channels();
		if (h <= 0 || w <= 0 || c <= 0) throw new ExplainException("The bench needs a model with a fixed input size; " +
			model.path().getFileName() + " takes " + model.input().shape() + ".", "Bench a model with a fixed input size.");
		float[] data = new float[n * h * w * c];
		Random random = new Random(42);
		for (int i = 0; i < data.length; i++) data[i] = random.nextFloat();
		return new InputBatch(data, n, h, w, c);
	}
}
