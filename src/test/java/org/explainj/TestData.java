package org.explainj;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;

/** The bundled real models and images, and small models made with TensorFlow Java for the tests. */
public final class TestData {

	/** The ImageJ menu as the build wrote it into the plugin jar's classes (org.explainj.ij.MenuEntries). */
	public static final Path MENU = Path.of("target/classes/plugins.config");
	public static final Path MALARIA = Path.of("test-images/models/nlm-malaria/malaria_thinsmear_44.pb");
	public static final Path MNIST = Path.of("test-images/models/mnist-keras");
	/** Models that read, list and write files (tools/fixtures/make_hostile_models.py). */
	public static final Path HOSTILE = Path.of("test-images/models/hostile");
	/** Where the hostile models write, relative to the working directory (the repository root under Maven). */
	public static final Path HOSTILE_WRITES = Path.of("target/hostile-model-wrote-this");
	public static final Path MALARIA_IMAGES = Path.of("test-images/images/malaria");
	public static final Path PARASITIZED = MALARIA_IMAGES.resolve(
		"Parasitized__C39P4thinF_original_IMG_20150622_110900_cell_16.png");
	public static final Path UNINFECTED = MALARIA_IMAGES.resolve("Uninfected__C1_thinF_IMG_20150604_104919_cell_224.png");
	public static final Path DIGIT = Path.of("test-images/images/mnist/mnist_8_test_eight.png");
	public static final Path CELL = Path.of("test-images/images/generic/skimage_cell.png");
	public static final Path IHC = Path.of("test-images/images/generic/skimage_ihc.png");

	private TestData() {}

	public static ImagePlus open(Path p) {
		ImagePlus imp = IJ.openImage(p.toString());
		if (imp == null) throw new IllegalStateException("cannot open " + p);
		return imp;
	}

	/**
	 * A TF1-style SavedModel (variables, no functions): 12x12x3 input, 3x3 conv with 4 filters, ReLU,
	 * 2x2 max pool, dense to 3 classes, softmax. Seeded weights; biases optional (bias-free ReLU networks
	 * make gradient x input sum exactly to the logit).
	 */
	public static Path tf1SavedModel(Path dir, boolean biases) throws IOException {
		return tf1SavedModel(dir, biases, false);
	}

	/**
	 * The same network with its dense kernel clipped to max(0, w) when {@code nonNegativeDense}: guided
	 * backpropagation of the original equals the plain gradient of that variant (its only ReLU sees the
	 * dense weights, routed by the max-pool, as its incoming signal).
	 */
	public static Path tf1SavedModel(Path dir, boolean biases, boolean nonNegativeDense) throws IOException {
		Random r = new Random(7);
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 12,
				12, 3)));
			var kernel = tf.withSubScope("conv").withName("kernel").variable(tf.constant(randoms(r, new float[3][3][3][4])));
			Operand<TFloat32> h = tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
			if (biases) h = tf.nn.biasAdd(h, tf.withSubScope("conv").withName("bias").variable(tf.constant(randoms(r, new float[4]))));
			h = tf.nn.maxPool(tf.nn.relu(h), tf.constant(new int[] { 1, 2, 2, 1 }), tf.constant(new int[] { 1, 2, 2, 1 }),
				"VALID");
			h = tf.reshape(h, tf.constant(new int[] { -1, 6 * 6 * 4 }));
Operand<TFloat32> denseKernel = tf.constant(randoms(r, new float[6 * 6 * 4][3]));
			if (nonNegativeDense) denseKernel = tf.nn.relu(denseKernel);
			Operand<TFloat32> logits = tf.linalg.matMul(h, tf.withSubScope("dense").withName("kernel").variable(
				denseKernel));
			if (biases) logits = tf.math.add(logits, tf.withSubScope("dense").withName("bias").variable(tf.constant(randoms(r,
				new float[3]))));
			Operand<TFloat32> probs = tf.withName("probabilities").nn.softmax(logits);
			s.initialize();
			SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder().key(
				"serving_default").input("image", x).output("probabilities", probs).build()).export();
		}
		return dir;
	}

	private static TFloat32 randoms(Random r, float[][][][] a) {
		for (var b : a) for (var c : b) for (var d : c) for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian() * 0.5f;
		return TFloat32.tensorOf(StdArrays.ndCopyOf(a));
	}

	private static TFloat32 randoms(Random r, float[][] a) {
		for (var b : a) for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian() * 0.2f;
		return TFloat32.tensorOf(StdArrays.ndCopyOf(a));
	}

	private static TFloat32 randoms(Random r, float[] a) {
		for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian() * 0.1f;
		return TFloat32.vectorOf(a);
	}

	/** Seeded values in [0, 1), one image's worth. */
	public static float[] randomImage(long seed, int size) {
		Random r = new Random(seed);
		float[] x = new float[size];
		for (int i = 0; i < size; i++) x[i] = r.nextFloat();
		return x;
	}

	/**
	 * {cell, parasite} for a crop: the cell is everything but the black background; the parasite is the
	 * dark magenta inclusion: green well below the cell's median green, red and blue well above green.
	 */
	public static boolean[][] parasiteMask(ColorProcessor cp) {
		int[] px = (int[]) cp.getPixels();
		boolean[] cell = new boolean[px.length], parasite = new boolean[px.length];
		List<Integer> greens = new ArrayList<>();
		for (int i = 0; i < px.length; i++) {
			int r = (px[i] >> 16) & 255, g = (px[i] >> 8) & 255, b = px[i] & 255;
			cell[i] = r + g + b > 60;
			if (cell[i]) greens.add(g);
		}
		greens.sort(null);
		int median = greens.get(greens.size() / 2);
		for (int i = 0; i < px.length; i++) {
			int r = (px[i] >> 16) & 255, g = (px[i] >> 8) & 255, b = px[i] & 255;
			parasite[i] = cell[i] && g < median - 40 && r > g + 30 && b > g + 30;
		}
		return new boolean[][] { cell, parasite };
	}

	/** The weight of pixel i (row-major) in {@link #regressionModel}. */
	public static float regressionWeight(int i) {
		return i / 784f;
	}

	/**
	 * A frozen graph with one linear output y = sum_i w_i x_i + 0.5 on 28 x 28 grey images, w_i =
	 * {@link #regressionWeight}(i): a regression head (no softmax, no sigmoid).
	 */
	public static Path regressionModel(Path file) throws IOException {
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
			float[][] w = new float[784][1];
			for (int i = 0; i < 784; i++) w[i][0] = regressionWeight(i);
			tf.math.add(tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] { -1, 784 })), tf.constant(w)), tf.constant(
				0.5f));
			java.nio.file.Files.write(file, g.toGraphDef().toByteArray());
		}
		return file;
	}

	/** An explanation through the job, as the front ends run it (unit scaling, logit score). */
	public static org.explainj.job.ExplainResult explain(ImagePlus image, Path model, String method, String target,
		java.util.Map<String, String> params)
	{
		return org.explainj.job.ExplainJob.run(image, new org.explainj.job.ExplainOptions(model, org.explainj.methods
			.Methods.byName(method), new org.explainj.methods.Target(target), org.explainj.model.ScoreKind.LOGIT, org.explainj
				.image.IntensityScaling.UNIT, null, 8, params));
	}

	/** Logits of every image, straight from the session: the reference the methods are checked against. */
	/** Removes whatever a hostile model wrote, so that a test sees only its own run's writes. */
	public static void deleteWhatHostileModelsWrote() throws IOException {
		if (!java.nio.file.Files.exists(HOSTILE_WRITES)) return;
		try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(HOSTILE_WRITES)) {
			for (Path f : files.toList()) java.nio.file.Files.delete(f);
		}
		java.nio.file.Files.delete(HOSTILE_WRITES);
	}

	public static float[][] logits(org.explainj.model.ClassifierModel model, float[] data, int n) {
		int size = data.length / n;
		try (TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(n, model.height(), model.width(), model.channels()), org.tensorflow.ndarray.buffer.DataBuffers.of(
				data, true, false));
			org.tensorflow.Result r = model.session().runner().feed(model.input(), x).fetch(model.logits()).run())
		{
			float[] flat = new float[n * model.numClasses()];
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(flat);
			float[][] out = new float[n][model.numClasses()];
			for (int i = 0; i < n; i++) System.arraycopy(flat, i * model.numClasses(), out[i], 0, model.numClasses());
			if (size * n != data.length) throw new IllegalArgumentException("batch size");
			return out;
		}
	}

	/**
	 * d logit[target] / d x of each image by TensorFlow's own gradient registry (Graph.addGradients), an
	 * independent path from the backward engine that the gradient methods run on.
	 */
	public static float[] tensorFlowGradient(org.explainj.model.ClassifierModel model, float[] data, int n, int[] targets) {
		return tensorFlowGradient(model, data, n, targets, java.util.Map.of());
	}

	/** The same with tensors of the graph replaced by fed values (e.g. randomised weights). */
	public static float[] tensorFlowGradient(org.explainj.model.ClassifierModel model, float[] data, int n, int[] targets,
		java.util.Map<? extends org.tensorflow.Operand<?>, ? extends org.tensorflow.Tensor> feeds)
	{
		var ops = model.ops("test: TensorFlow's gradient", tf -> {
			var classes = tf.placeholder(org.tensorflow.types.TInt32.class);
			var picked = tf.math.mul(model.logits(), tf.oneHot(classes, tf.constant(model.numClasses()), tf.constant(1f), tf
				.constant(0f)));
			var total = tf.reduceSum(picked, tf.constant(new int[] { 0, 1 })).asOutput();
			return java.util.List.of(classes, model.graph().addGradients(total, new org.tensorflow.Output<?>[] { model
				.input() })[0]);
		});
		try (TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(n, model.height(), model.width(), model
				.channels()), org.tensorflow.ndarray.buffer.DataBuffers.of(data, true, false));
			org.tensorflow.types.TInt32 t = org.tensorflow.types.TInt32.vectorOf(targets);
			org.tensorflow.Result r = feeds(model.session().runner(), feeds).feed(model.input(), x).feed(ops.get(0), t)
				.fetch(ops.get(1)).run())
		{
			float[] g = new float[data.length];
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(g);
			return g;
		}
	}

	private static org.tensorflow.Session.Runner feeds(org.tensorflow.Session.Runner runner, java.util.Map<? extends
		org.tensorflow.Operand<?>, ? extends org.tensorflow.Tensor> feeds)
	{
		feeds.forEach(runner::feed);
		return runner;
	}

	/** A fixture's reference.json: its fixed input batch and the logits Python computed for it. */
	public record Reference(org.explainj.methods.InputBatch input, float[] logits) {}

	/** The "input" and "logits" arrays of reference.json (numbers only; no JSON library needed). */
	public static Reference reference(Path model) throws java.io.IOException {
		String json = java.nio.file.Files.readString(model.resolve("reference.json"));
		int[] shape = numbers(json, "input_shape", true).stream().mapToInt(Double::intValue).toArray();
		java.util.List<Double> input = numbers(json, "input", false), logits = numbers(json, "logits", false);
		float[] x = new float[input.size()], l = new float[logits.size()];
		for (int i = 0; i < x.length; i++) x[i] = input.get(i).floatValue();
		for (int i = 0; i < l.length; i++) l[i] = logits.get(i).floatValue();
		int n = x.length / (shape[1] * shape[2] * shape[3]);
		return new Reference(new org.explainj.methods.InputBatch(x, n, shape[1], shape[2], shape[3]), l);
	}

	/** The numbers of one array of a fixture's reference.json. */
	public static float[] numbers(Path model, String key) throws java.io.IOException {
		java.util.List<Double> values = numbers(java.nio.file.Files.readString(model.resolve("reference.json")), key, false);
		float[] out = new float[values.size()];
		for (int i = 0; i < out.length; i++) out[i] = values.get(i).floatValue();
		return out;
	}

	private static java.util.List<Double> numbers(String json, String key, boolean skipNull) {
		int start = json.indexOf('[', json.indexOf("\"" + key + "\""));
		int depth = 0, end = start;
		do {
			char c = json.charAt(end++);
			if (c == '[') depth++;
			if (c == ']') depth--;
		}
		while (depth > 0);
		java.util.List<Double> out = new java.util.ArrayList<>();
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?|null").matcher(json.substring(start, end));
		while (m.find()) out.add(m.group().equals("null") ? (skipNull ? -1.0 : Double.NaN) : Double.parseDouble(m.group()));
		return out;
	}

	/** Where a map of "infected" puts its positive mass on a parasitized crop, against the parasite mask. */
	public record ParasiteScore(double massShare, double areaShare, double distance) {
		/** How many times denser the positive relevance is on the parasite than on the cell on average. */
		public double enrichment() {
			return massShare / areaShare;
		}
	}

	/** The two parasitized crops, sorted. */
	public static List<Path> parasitizedCrops() throws java.io.IOException {
		try (var files = java.nio.file.Files.list(MALARIA_IMAGES)) {
			return files.filter(p -> p.getFileName().toString().startsWith("Parasitized")).sorted().toList();
		}
	}

	/**
	 * The map's positive mass on the parasite mask as a share of its mass on the cell, the mask's share of
	 * the cell's area, and how far the map's maximum lies from the mask (0 = on it).
	 */
	public static ParasiteScore parasiteScore(ImagePlus image, float[] map) {
		int w = image.getWidth();
		boolean[][] masks = parasiteMask((ColorProcessor) image.getProcessor());
		int argmax = 0, cellArea = 0, maskArea = 0;
		double massCell = 0, massMask = 0, distance = Double.MAX_VALUE;
		for (int i = 0; i < map.length; i++) {
			if (map[i] > map[argmax]) argmax = i;
			if (!masks[0][i]) continue;
			cellArea++;
			massCell += Math.max(0, map[i]);
			if (masks[1][i]) {
				maskArea++;
				massMask += Math.max(0, map[i]);
			}
		}
		for (int i = 0; i < map.length; i++) {
			if (masks[1][i]) distance = Math.min(distance, Math.hypot(i % w - argmax % w, i / w - argmax / w));
		}
		return new ParasiteScore(massMask / massCell, (double) maskArea / cellArea, distance);
	}
}
