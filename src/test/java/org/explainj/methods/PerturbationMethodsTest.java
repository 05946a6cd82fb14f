package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.explainj.TestData;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

/** RISE and Sobol attribution against hand computations, analytic indices and a model that looks at one region. */
class PerturbationMethodsTest {

	static final int SIDE = 16;

	@TempDir
	Path tmp;

	static Explanation run(ClassifierModel model, String method, InputBatch x, Map<String, String> parameters) {
		AttributionMethod m = Methods.byName(method);
		return new Explainer(model).explain(m, MethodSettings.of(m, parameters), x, null, Target.TOP, ScoreKind.LOGIT,
			Reduction.SUM, 64, (a, b) -> {});
	}

	/** logits = x_flat W + b for a 16x16x1 input, 2 classes; W [256][2] and b as given. */
	static Path linearModel(Path dir, float[][] w, float[] b) throws Exception {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIDE,
				SIDE, 1)));
			Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] { -1, SIDE * SIDE }));
			Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(flat, tf.identity(tf.withName("kernel").variable(tf
				.constant(StdArrays.ndCopyOf(w))))), tf.identity(tf.withName("bias").variable(tf.constant(b))));
			Operand<TFloat32> probs = tf.withName("probabilities").nn.softmax(logits);
			s.initialize();
			SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder().key(
				"serving_default").input("image", x).output("probabilities", probs).build()).export();
		}
		return dir;
	}

	static float[][] randomKernel(long seed) {
		Random r = new Random(seed);
		float[][] w = new float[SIDE * SIDE][2];
		for (float[] row : w) for (int k = 0; k < 2; k++) row[k] = (float) r.nextGaussian();
		return w;
	}

	/** The share of the map's positive mass on the region model's decisive square (rows 4..7, columns 8..11). */
	static double regionShare(float[] map) {
		double inside = 0, all = 0;
		for (int i = 0; i < map.length; i++) {
			double v = Math.max(0, map[i]);
			all += v;
			int row = i / SIDE, col = i % SIDE;
			if (row >= 4 && row < 8 && col >= 8 && col < 12) inside += v;
		}
		return inside / all;
	}

	/**
	 * Sobol's indices are unsigned: every image. RISE's map is signed and its mask puts zeros in: on the
	 * class-1 images (a bright square) hiding the square removes the evidence, so its positive mass is there.
	 * RISE smears a map over about one cell around the evidence, so its cells are half the square's side
	 * here (with 7 cells, 3 pixels each, 45% of the positive mass lies on the square, 4x4 of 16x16).
	 */
	@Test
	void riseAndSobolFindTheOneRegionTheModelLooksAt() throws Exception {
		Path dir = Path.of("test-images/models/quality/region-model");
		try (ClassifierModel m = ModelLoader.load(dir)) {
			InputBatch all = TestData.reference(dir).input();
			int size = all.imageSize();
			InputBatch classOne = new InputBatch(Arrays.copyOfRange(all.data(), 2 * size, 4 * size), 2, SIDE, SIDE, 1);
			for (String method : List.of("rise", "sobol")) {
				InputBatch x = method.equals("rise") ? classOne : all;
				Explanation e = run(m, method, x, method.equals("rise") ? Map.of("cells", "8", "masks", "4000") : Map.of());
				for (int i = 0; i < x.n(); i++) {
					double share = regionShare(e.map(i));
					System.out.printf(java.util.Locale.ROOT, "%s region-model image %d (class %d): %.3f of the positive mass " +
						"on the region%n", method, i, e.targets()[i], share);
					assertTrue(share > 0.5, method + " image " + i + ": " + share);
				}
			}
		}
	}

	/**
	 * The map from the masks fetched out of the graph and the linear scores computed here, in Java; 300
	 * masks go through the network in chunks of the batch size (64, the last one 44).
	 */
	@Test
	void riseOnALinearModelEqualsTheEstimatorComputedByHand() throws Exception {
		float[][] w = randomKernel(3);
		float[] b = { 0.3f, -0.2f };
		int n = 300, cells = 5;
		float p = 0.4f;
		float[] x = TestData.randomImage(11, SIDE * SIDE);
		try (ClassifierModel m = ModelLoader.load(linearModel(tmp.resolve("linear"), w, b))) {
			Explanation e = run(m, "rise", new InputBatch(x, 1, SIDE, SIDE, 1), Map.of("masks", "" + n, "cells", "" + cells,
				"probability", "" + p, "seed", "5"));
			int c = e.targets()[0];
			float[] masks = masks(n, cells, p, 5);
			double[] f = new double[n];
			double mean = 0;
			for (int i = 0; i < n; i++) {
				f[i] = b[c];
				for (int j = 0; j < SIDE * SIDE; j++) f[i] += w[j][c] * x[j] * masks[i * SIDE * SIDE + j];
				mean += f[i] / n;
			}
			float[] expected = new float[SIDE * SIDE];
			for (int j = 0; j < expected.length; j++) {
				double s = 0;
				for (int i = 0; i < n; i++) s += (f[i] - mean) * masks[i * SIDE * SIDE + j];
				expected[j] = (float) (s / (n * p));
			}
			assertArrayEquals(expected, e.map(0), 1e-4f);
			// the masks are what the method says: values in [0, 1], a share p of the cells kept, not all alike
			double average = 0;
			for (float v : masks) {
				assertTrue(v >= 0 && v <= 1, "mask value " + v);
				average += v / masks.length;
			}
			assertEquals(p, average, 0.03);
			assertFalse(Arrays.equals(Arrays.copyOfRange(masks, 0, 256), Arrays.copyOfRange(masks, 256, 512)));
		}
	}

	static float[] masks(int n, int cells, float p, long seed) {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Operand<TFloat32> masks = RiseMethod.masks(tf, tf.range(tf.constant(0), tf.constant(n), tf.constant(1)), cells, tf
				.constant(p), tf.constant(seed), SIDE, SIDE);
			try (TFloat32 t = (TFloat32) s.runner().fetch(masks).run().get(0)) {
				float[] out = new float[n * SIDE * SIDE];
				t.asRawTensor().data().asFloats().read(out);
				return out;
			}
		}
	}

	@Test
	void riseIsSeededAndDoesNotDependOnTheImagesPlaceInTheBatch() throws Exception {
		float[] x1 = TestData.randomImage(1, SIDE * SIDE), x2 = TestData.randomImage(2, SIDE * SIDE);
		float[] both = new float[2 * SIDE * SIDE];
		System.arraycopy(x2, 0, both, 0, x2.length);
		System.arraycopy(x1, 0, both, x2.length, x1.length);
		try (ClassifierModel m = ModelLoader.load(linearModel(tmp.resolve("linear"), randomKernel(4), new float[2]))) {
			Map<String, String> seed0 = Map.of("masks", "200"), seed1 = Map.of("masks", "200", "seed", "1");
			float[] alone = run(m, "rise", new InputBatch(x1, 1, SIDE, SIDE, 1), seed0).map(0);
			assertArrayEquals(alone, run(m, "rise", new InputBatch(both, 2, SIDE, SIDE, 1), seed0).map(1), 1e-5f);
			assertFalse(Arrays.equals(alone, run(m, "rise", new InputBatch(x1, 1, SIDE, SIDE, 1), seed1).map(0)));
		}
	}

	/**
	 * An additive function of the cells: with the zero baseline the score on x0 + M (x - x0) is b + sum_k
	 * c_k m_k, c_k = sum of w_j x_j over cell k, m_k uniform on [0, 1]: Var f = sum c_k^2 / 12 and the
	 * total-order index of cell k is c_k^2 / sum c^2.
	 */
	@Test
	void sobolTotalOrderIndicesOfAnAdditiveFunctionAreTheAnalyticOnes() throws Exception {
		float[][] w = randomKernel(8);
		float[] x = TestData.randomImage(9, SIDE * SIDE);
		int cells = 4, side = SIDE / cells;
		try (ClassifierModel m = ModelLoader.load(linearModel(tmp.resolve("linear"), w, new float[] { 0.5f, 0.1f }))) {
			Explanation e = run(m, "sobol", new InputBatch(x, 1, SIDE, SIDE, 1), Map.of("masks", "1024", "cells", "" + cells));
			int c = e.targets()[0];
			double[] contribution = new double[cells * cells];
			double total = 0;
			for (int j = 0; j < SIDE * SIDE; j++) contribution[(j / SIDE / side) * cells + (j % SIDE) / side] += w[j][c] * x[j];
			for (double v : contribution) total += v * v;
			float[] map = e.map(0);
			double sum = 0;
			for (int k = 0; k < cells * cells; k++) {
				int row = k / cells * side, col = k % cells * side;
				double expected = contribution[k] * contribution[k] / total;
				double estimated = map[row * SIDE + col];
				sum += estimated;
				System.out.printf(java.util.Locale.ROOT, "sobol cell %2d: analytic %.4f estimated %.4f%n", k, expected, estimated);
				assertEquals(expected, estimated, 0.02, "cell " + k);
				// the index covers its whole cell
				assertEquals(estimated, map[(row + side - 1) * SIDE + col + side - 1], 1e-6);
			}
			assertEquals(1, sum, 0.03, "an additive function's total-order indices sum to 1");
		}
	}
}
