package org.explainj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.explainj.ExplainException;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.InputBatch;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.explainj.model.ScoreKind;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Times a forward pass and every method on the bundled models in one run and prints each method's cost
 * as a ratio to the forward pass (ratios measured together are comparable across machines).
 */
final class Bench {

	/** Cells (at most 139 pixels) one every this many pixels in the tiled benchmark's field. */
	static final int CELL_SPACING = 150;

	static final List<String> MODELS = List.of(Demo.MODEL, "test-images/models/mnist-keras");

	private Bench() {}

	static void run(Arguments a, PrintStream out) {
		if (a.get("tiled", null) != null) {
			tiled(a.integer("tiled", 2048), a.get("method", "gradient"), a.integer("window", CELL_SPACING), a.integer(
				"window-stride", CELL_SPACING), out);
			return;
		}
		int repeats = a.integer("repeats", 30);
		out.println("model                batch  forward_ms  method                 method_ms  /forward  /(k gradients)");
		for (String m : MODELS) {
			try (ModelCache.Lease lease = ModelCache.shared().acquire(Demo.home().resolve(m), false)) {
				bench(lease.model(), m, repeats, out);
			}
		}
	}

	private static void bench(ClassifierModel model, String m, int repeats, PrintStream out) {
		String name = Path.of(m).getFileName().toString().replaceFirst("\\.pb$", "");
		for (int n : new int[] { 1, 32 }) {
			InputBatch batch = randomBatch(model, n);
			double forward = median(repeats, () -> forward(model, batch));
			double gradient = time(model, Methods.byName("gradient"), batch, repeats);
			for (AttributionMethod method : Methods.all()) {
				double t;
				try {
					t = time(model, method, batch, repeats);
				}
				catch (ExplainException e) {
					out.printf(Locale.ROOT, "%-20s %5d  %10.3f  %-21s  n/a: %s%n", name, n, forward, method.name(), e
						.getMessage());
					continue;
				}
				// path and noise methods run k network passes per image: compare with k separate gradients
				String passes = method.parameters().stream().filter(p -> p.name().equals("steps") || p.name().equals(
					"samples")).findFirst().map(p -> String.format(Locale.ROOT, "%.2f (k=%s)", t / (Integer.parseInt(p
						.defaultValue()) * gradient), p.defaultValue())).orElse("");
				out.printf(Locale.ROOT, "%-20s %5d  %10.3f  %-21s %10.3f  %8.2f  %s%n", name, n, forward, method.name(), t,
					t / forward, passes);
			}
		}
	}

	private static double time(ClassifierModel model, AttributionMethod method, InputBatch batch, int repeats) {
		Explainer explainer = new Explainer(model);
		return median(repeats, () -> explainer.explain(method, batch, Target.TOP, ScoreKind.LOGIT, Reduction.NONE, batch
			.n()));
	}

	private static void forward(ClassifierModel model, InputBatch batch) {
		try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch.n(), batch.height(), batch.width(), batch.channels()),
				DataBuffers.of(batch.data(), true, false));
			Result r = model.session().runner().feed(model.input(), x).fetch(model.output()).run())
		{
			r.get(0);
		}
	}

	/** Median wall time in ms after a warm-up run that also builds the graphs. */
	private static double median(int repeats, Runnable task) {
		task.run();
		double[] ms = new double[repeats];
		for (int i = 0; i < repeats; i++) {
			long t0 = System.nanoTime();
			task.run();
			ms[i] = (System.nanoTime() - t0) / 1e6;
		}
		Arrays.sort(ms);
		return ms[repeats / 2];
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
		try {
			return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream().filter(l -> l
				.startsWith("VmHWM:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
		}
		catch (java.io.IOException e) {
			return -1;
		}
	}

	private static InputBatch randomBatch(ClassifierModel model, int n) {
		int h = model.height(), w = model.width(), c = model.channels();
		float[] data = new float[n * h * w * c];
		Random random = new Random(42);
		for (int i = 0; i < data.length; i++) data[i] = random.nextFloat();
		return new InputBatch(data, n, h, w, c);
	}
}
