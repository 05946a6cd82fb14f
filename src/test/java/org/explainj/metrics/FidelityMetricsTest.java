package org.explainj.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Insertion and MuFidelity against hand-built images and a model whose perfect attribution is known. */
class FidelityMetricsTest {

	private static final Path REGION = Path.of("test-images/models/quality/region-model");

	/**
	 * Insertion's curve starts at the baseline image's logit, ends at the full image's, and its first step
	 * is the baseline with the most relevant window put back, checked against images made by hand; on the
	 * malaria cells 5x5 windows do not tile 44x44, and the end is still the full image.
	 */
	@Test
	void insertionCurvePointsAreTheLogitsOfHandMadeImages() throws Exception {
		try (ClassifierModel m = ModelLoader.load(REGION)) {
			InputBatch all = TestData.reference(REGION).input();
			InputBatch one = new InputBatch(java.util.Arrays.copyOfRange(all.data(), 2 * 256, 3 * 256), 1, 16, 16, 1);
			float[] relevance = new float[256];
			relevance[5 * 16 + 9] = 1f; // in window (1, 2) of the 4x4 grid
			relevance[12 * 16 + 1] = 0.5f; // window (3, 0)
			float[][] curves = Insertion.curves(m, one, relevance, new int[] { 1 }, new Insertion.Settings(4, 16, "zeros", 0),
				32);
			assertEquals(17, curves[0].length);
			float[] firstWindow = new float[256], both;
			copyWindow(one.data(), firstWindow, 1, 2);
			both = firstWindow.clone();
			copyWindow(one.data(), both, 3, 0);
			float[] images = new float[4 * 256];
			System.arraycopy(firstWindow, 0, images, 256, 256);
			System.arraycopy(both, 0, images, 2 * 256, 256);
			System.arraycopy(one.data(), 0, images, 3 * 256, 256);
			float[][] logits = TestData.logits(m, images, 4);
			assertArrayEquals(new float[] { p(logits[0], 1), p(logits[1], 1), p(logits[2], 1), p(logits[3], 1) }, new float[] {
				curves[0][0], curves[0][1], curves[0][2], curves[0][16] }, 1e-5f);
		}
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = new InputBatch(TestData.randomImage(4, 44 * 44 * 3), 1, 44, 44, 3);
			float[][] curves = Insertion.curves(m, x, TestData.randomImage(5, 44 * 44), new int[] { 0 }, new Insertion.Settings(
				5, 7, "blur", 0), 32);
			float[][] full = TestData.logits(m, x.data(), 1);
			assertEquals(p(full[0], 0), curves[0][7], 1e-5f);
		}
	}

	/** Softmax probability of class k, by hand. */
	private static float p(float[] logits, int k) {
		double sum = 0;
		for (float l : logits) sum += Math.exp(l - logits[k]);
		return (float) (1 / sum);
	}

	private static void copyWindow(float[] from, float[] to, int row, int col) {
		for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) to[(row * 4 + y) * 16 + col * 4 + x] = from[(row * 4 + y) *
			16 + col * 4 + x];
	}

	/**
	 * 4x4 windows on a 30x30 image: they are laid from the top-left corner and the bottom row and right
	 * column are cut to 2 pixels. A cut window (rows 28-29, columns 0-3) with relevance 1 on its 8 pixels
	 * is ranked before a whole one (rows 0-3, columns 4-7) with 0.9 on its 16 (means over the pixels held),
	 * and the windows inserted are exactly these: the curve's first two points are the probabilities of
	 * images made by hand through a linear model computed here.
	 */
	@Test
	void insertionInsertsTheWindowsItRanksOnAnImageTheWindowsDoNotTile(@TempDir Path tmp) throws Exception {
		int side = 30;
		float[][] w = new float[side * side][2];
		java.util.Random r = new java.util.Random(12);
		for (var row : w) for (int k = 0; k < 2; k++) row[k] = (float) r.nextGaussian();
		Path file = linearModel(tmp.resolve("linear30.pb"), side, 1, w);
		float[] x = TestData.randomImage(13, side * side);
		float[] relevance = new float[side * side];
		for (int y = 28; y < 30; y++) for (int c = 0; c < 4; c++) relevance[y * side + c] = 1f;
		for (int y = 0; y < 4; y++) for (int c = 4; c < 8; c++) relevance[y * side + c] = 0.9f;
		try (ClassifierModel m = ModelLoader.load(file)) {
			float[][] curves = Insertion.curves(m, new InputBatch(x, 1, side, side, 1), relevance, new int[] { 1 },
				new Insertion.Settings(4, 64, "zeros", 0), 128);
			float[] first = new float[side * side];
			for (int y = 28; y < 30; y++) for (int c = 0; c < 4; c++) first[y * side + c] = x[y * side + c];
			float[] second = first.clone();
			for (int y = 0; y < 4; y++) for (int c = 4; c < 8; c++) second[y * side + c] = x[y * side + c];
			assertEquals(p(linear(w, new float[side * side]), 1), curves[0][0], 1e-5f);
			assertEquals(p(linear(w, first), 1), curves[0][1], 1e-5f);
			assertEquals(p(linear(w, second), 1), curves[0][2], 1e-5f);
			assertEquals(p(linear(w, x), 1), curves[0][64], 1e-5f);
		}
	}

	/** Logits x.W of the linear model, by hand. */
	private static float[] linear(float[][] w, float[] x) {
		float[] out = new float[w[0].length];
		for (int j = 0; j < x.length; j++) for (int k = 0; k < out.length; k++) out[k] += x[j] * w[j][k];
		return out;
	}

	/** A frozen graph logits = x_flat W (softmax on top) for side x side x channels images. */
	private static Path linearModel(Path file, int side, int channels, float[][] w) throws Exception {
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side,
				side, channels)));
			Operand<TFloat32> logits = tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] { -1, side * side * channels })),
				tf.constant(w));
			tf.withName("probabilities").nn.softmax(logits);
			Files.write(file, g.toGraphDef().toByteArray());
		}
		return file;
	}

	/**
	 * A regression head (one linear output y = w.x + 0.5) has no probability: insertion records the raw
	 * output, from the baseline's 0.5 to the full image's y, computed here.
	 */
	@Test
	void insertionOnARegressionHeadRecordsTheRawOutput(@TempDir Path tmp) throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.regressionModel(tmp.resolve("regression.pb")))) {
			float[] x = TestData.randomImage(14, 784);
			float[] relevance = new float[784];
			for (int i = 0; i < 784; i++) relevance[i] = TestData.regressionWeight(i) * x[i];
			float[][] curves = Insertion.curves(m, new InputBatch(x, 1, 28, 28, 1), relevance, new int[] { 0 },
				new Insertion.Settings(7, 16, "zeros", 0), 32);
			double y = 0.5;
			for (int i = 0; i < 784; i++) y += TestData.regressionWeight(i) * x[i];
			assertEquals(0.5, curves[0][0], 1e-5);
			assertEquals(y, curves[0][16], 1e-3);
			// the last rows weigh most and come first: the curve rises above the diagonal
			assertTrue(Insertion.auc(curves[0]) > (0.5 + y) / 2, Insertion.auc(curves[0]) + " vs " + (0.5 + y) / 2);
		}
	}

	@Test
	void insertionAucByHand() {
		// trapezoids (0.1 + 0.7) / 2 + (0.7 + 0.9) / 2 = 1.2, over 2 steps
		assertEquals(0.6, Insertion.auc(new float[] { 0.1f, 0.7f, 0.9f }), 1e-6);
	}

	/** On the region model every method puts the square back first and beats the random baseline. */
	@Test
	void everyMethodInsertsBetterThanRandomOnTheRegionModel() throws Exception {
		try (ClassifierModel m = ModelLoader.load(REGION)) {
			InputBatch all = TestData.reference(REGION).input();
			InputBatch classOne = new InputBatch(java.util.Arrays.copyOfRange(all.data(), 2 * 256, 4 * 256), 2, 16, 16, 1);
			List<String> names = List.of("gradient", "sensitivity", "saliency", "gradient-x-input", "integrated-gradients",
				"smoothgrad", "occlusion", "guided-backprop", "deconvnet", "lrp-0", "lrp-epsilon", "lrp-gamma",
				"lrp-alpha-beta", "lrp-zplus", "lrp-epsilon-plus", "deep-taylor", "deeplift", "rise", "sobol", "random");
			var scores = MethodComparison.run(m, classOne, names.stream().map(BaselineAttributions::byName).toList(),
				new MethodComparison.Metrics(null, null, new Insertion.Settings(4, 16, "zeros", 0), new MuFidelity.Settings(4,
					0.25, 50, "zeros", 0)), 64);
			double random = scores.stream().filter(s -> s.method().equals("random")).findFirst().orElseThrow().insertionAuc();
			for (var s : scores) {
				System.out.printf(java.util.Locale.ROOT, "insertion region-model %-22s AUC %.4f MuFidelity %.4f%n", s.method(), s
					.insertionAuc(), s.muFidelity());
				if (!s.method().equals("random")) assertTrue(s.insertionAuc() > random, s.method() + " insertion " + s
					.insertionAuc() + " vs random " + random);
			}
			assertEquals("random", scores.get(scores.size() - 1).method());
		}
	}

	/**
	 * On a linear model f(x) = w.x + b, gradient x input is exact: removing a subset (zeros) drops the logit
	 * by exactly the relevance inside it, so MuFidelity is 1, for pixels and for windows.
	 */
	@Test
	void muFidelityOfGradientTimesInputOnALinearModelIsOne(@TempDir Path tmp) throws Exception {
		Path file = tmp.resolve("linear.pb");
		java.util.Random r = new java.util.Random(3);
		float[][] w = new float[8 * 8 * 3][2];
		for (var row : w) for (int k = 0; k < 2; k++) row[k] = (float) r.nextGaussian();
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8,
				3)));
			Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] { -1, 8 * 8 * 3 }));
			Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(flat, tf.constant(w)), tf.constant(new float[] { 0.3f,
				-0.2f }));
			tf.withName("probabilities").nn.softmax(logits);
			Files.write(file, g.toGraphDef().toByteArray());
		}
		try (ClassifierModel m = ModelLoader.load(file)) {
			InputBatch x = new InputBatch(TestData.randomImage(6, 3 * 8 * 8 * 3), 3, 8, 8, 3);
			AttributionMethod gxi = Methods.byName("gradient-x-input");
			Explanation e = new Explainer(m).explain(gxi, MethodSettings.of(gxi, Map.of()), x, null, Target.TOP,
				ScoreKind.LOGIT, Reduction.SUM, 64, (d, t) -> {});
			for (int window : new int[] { 1, 3 }) {
				MuFidelity.Subsets[] subsets = MuFidelity.subsets(m, x, e.maps(), e.targets(), new MuFidelity.Settings(window,
					0.3, 40, "zeros", 1), 16);
				for (MuFidelity.Subsets s : subsets) {
					for (int j = 0; j < s.drops().length; j++) assertEquals(s.relevance()[j], s.drops()[j], 1e-4, "drop = sum R");
					assertEquals(1, s.correlation(), 1e-6);
				}
			}
			// a map unrelated to the model does not get there
			AttributionMethod random = BaselineAttributions.RANDOM;
			Explanation noise = new Explainer(m).explain(random, MethodSettings.of(random, Map.of()), x, null, Target.TOP,
				ScoreKind.LOGIT, Reduction.SUM, 64, (d, t) -> {});
			double mu = MuFidelity.mean(MuFidelity.subsets(m, x, noise.maps(), noise.targets(), new MuFidelity.Settings(1, 0.3,
				40, "zeros", 1), 16));
			assertTrue(mu < 0.6, "random MuFidelity " + mu);
		}
	}

	/**
	 * A model whose class-1 logit is the number of images in its run: every point of a selectivity,
	 * insertion or MuFidelity run at batch size 4 was scored in a run of at most 4 images (10 columns per
	 * image: 4, 4 and 2), and at batch size 64 the two images' 20 in one run.
	 */
	@Test
	void perturbationMetricsScoreAtMostBatchSizeImagesARun(@TempDir Path tmp) throws Exception {
		Path file = tmp.resolve("counter.pb");
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8,
				1)));
			Operand<TFloat32> zero = tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] { -1, 64 })), tf.constant(new float[64][
				1])); // [N,1]
			Operand<TFloat32> rows = tf.dtypes.cast(tf.gather(tf.shape(x), tf.constant(0), tf.constant(0)), TFloat32.class);
			tf.withName("probabilities").nn.softmax(tf.concat(List.of(zero, tf.math.add(zero, rows)), tf.constant(1)));
			Files.write(file, g.toGraphDef().toByteArray());
		}
		try (ClassifierModel m = ModelLoader.load(file)) {
			InputBatch x = new InputBatch(TestData.randomImage(15, 2 * 64), 2, 8, 8, 1);
			float[] relevance = TestData.randomImage(16, 2 * 64);
			int[] targets = { 1, 1 };
			float[] four = { 4, 4, 4, 4, 4, 4, 4, 4, 2, 2 }, twenty = new float[10];
			java.util.Arrays.fill(twenty, 20);
			for (int batch : new int[] { 4, 64 }) {
				float[] expected = batch == 4 ? four : twenty;
				float[][] selectivity = Selectivity.curves(m, x, relevance, targets, new Selectivity.Settings(2, 9, "zeros", 0),
					batch);
				float[][] insertion = Insertion.curves(m, x, relevance, targets, new Insertion.Settings(2, 9, "zeros", 0),
					batch);
				MuFidelity.Subsets[] mu = MuFidelity.subsets(m, x, relevance, targets, new MuFidelity.Settings(2, 0.3, 9,
					"zeros", 0), batch);
				for (int i = 0; i < 2; i++) {
					assertArrayEquals(expected, selectivity[i], 1e-6f);
					for (int t = 0; t < 10; t++) assertEquals(p(new float[] { 0, expected[t] }, 1), insertion[i][t], 1e-6f);
					for (int j = 0; j < 9; j++) assertEquals(expected[0] - expected[j + 1], mu[i].drops()[j], 1e-6f);
				}
			}
		}
	}

	/** Chunking bounds memory and changes nothing: one or 64 perturbed images a run give the same numbers. */
	@Test
	void insertionAndMuFidelityDoNotDependOnTheBatchSize() throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = new InputBatch(TestData.randomImage(7, 2 * 44 * 44 * 3), 2, 44, 44, 3);
			float[] relevance = TestData.randomImage(8, 2 * 44 * 44);
			int[] targets = { 0, 1 };
			Insertion.Settings insertion = new Insertion.Settings(4, 6, "mean", 0);
			float[][] one = Insertion.curves(m, x, relevance, targets, insertion, 1);
			float[][] many = Insertion.curves(m, x, relevance, targets, insertion, 64);
			for (int i = 0; i < 2; i++) assertArrayEquals(many[i], one[i], 1e-6f);
			MuFidelity.Settings mu = new MuFidelity.Settings(4, 0.25, 12, "zeros", 3);
			MuFidelity.Subsets[] a = MuFidelity.subsets(m, x, relevance, targets, mu, 1);
			MuFidelity.Subsets[] b = MuFidelity.subsets(m, x, relevance, targets, mu, 64);
			for (int i = 0; i < 2; i++) {
				assertArrayEquals(b[i].drops(), a[i].drops(), 1e-4f);
				assertArrayEquals(b[i].relevance(), a[i].relevance(), 1e-4f);
			}
		}
	}
}
