package org.explainj.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerWeights;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The model-randomisation check: its statistics by hand, its feeds against a model built with the weights. */
class SanityCheckTest {

	@Test
	void spearmanByHandWithSignsAndTies() {
		// ranks 1 2 3 4 against 1 3 2 4: rho = 1 - 6 * 2 / (4 * 15)
		assertEquals(0.8, MapSimilarity.spearman(new float[] { -1, 2, -3, 4 }, new float[] { 1, 3, 2, 4 }), 1e-12);
		// ties get the mean rank: (1.5, 1.5, 3) against (1, 2, 3): 1.5 / sqrt(1.5 * 2)
		assertEquals(1.5 / Math.sqrt(3), MapSimilarity.spearman(new float[] { 1, -1, 2 }, new float[] { 1, 2, 3 }), 1e-12);
		assertEquals(-1, MapSimilarity.spearman(new float[] { 1, 2, 3 }, new float[] { 3, 2, 1 }), 1e-12);
	}

	@Test
	void ssimByHandOnTwoByTwoMaps() {
		// x = (0 1 0 1), y = (1 1 0 0): means 1/2, sample variances 1/3, covariance 0
		double expected = (2 * 0.25 + 1e-4) * (0 + 9e-4) / ((0.25 + 0.25 + 1e-4) * (2 / 3.0 + 9e-4));
		assertEquals(expected, MapSimilarity.ssim(new float[] { 0, 1, 0, 1 }, new float[] { 1, 1, 0, 0 }, 2, 2), 1e-12);
		// |R| scaled to [0, 1] by its maximum: a map and twice its negative are the same map
		assertEquals(1, MapSimilarity.ssim(new float[] { 0.2f, 1, 0.5f, 3 }, new float[] { -0.4f, -2, -1, -6 }, 2, 2), 1e-9);
		// a 3x2 map has two 2x2 windows: x = (0 1 | 0 1) then (1 0 | 1 0); y = (0 1 | 0 1), identical, then
		// constant (1 1 | 1 1): means 1/2 and 1, variances 1/3 and 0, covariance 0
		double second = (2 * 0.5 * 1 + 1e-4) * 9e-4 / ((0.25 + 1 + 1e-4) * (1 / 3.0 + 9e-4));
		assertEquals((1 + second) / 2, MapSimilarity.ssim(new float[] { 0, 1, 0, 0, 1, 0 }, new float[] { 0, 1, 1, 0, 1,
			1 }, 3, 2), 1e-12);
	}

	@Test
	void topTenPercentOverlapByHand() {
		float[] a = new float[20], b = new float[20];
		a[0] = 5;
		a[1] = -4; // |R| counts: a's top 2 of 20 are pixels 0 and 1
		b[1] = 3;
		b[5] = 7; // b's are 5 and 1
		assertEquals(0.5, MapSimilarity.topOverlap(a, b, 0.1), 1e-12);
		b[0] = 9;
		assertEquals(0.5, MapSimilarity.topOverlap(a, b, 0.1), 1e-12); // b's top 2 are now 0 and 5
		assertEquals(1, MapSimilarity.topOverlap(a, a, 0.1), 1e-12);
	}

	/**
	 * Fed weights reach the logits on the three kinds of model (frozen constants, TF1 variables, TF2 variable
	 * reads): the logits change, and with nothing fed they are the trained model's again, bit for bit.
	 */
	/**
	 * With randomised weights fed in place of the trained ones, the gradient the methods run (the backward
	 * engine, whose transposed convolutions turn the kernels in the graph) equals TensorFlow's own gradient
	 * under the same feeds: nothing of the trained weights is folded into constants behind the feeds.
	 */
	@Test
	void theGradientWithRandomWeightsFedIsTheRandomisedModelsGradient(@TempDir Path tmp) throws Exception {
		for (Path path : List.of(TestData.MALARIA, TestData.MNIST, TestData.tf1SavedModel(tmp.resolve("tf1"), true))) {
			try (ClassifierModel m = ModelLoader.load(path)) {
				Map<Output<TFloat32>, TFloat32> random = SanityCheck.permuted(m, LayerWeights.of(m), 7);
				try {
					int size = m.height() * m.width() * m.channels();
					InputBatch x = new InputBatch(TestData.randomImage(3, 2 * size), 2, m.height(), m.width(), m.channels());
					AttributionMethod gradient = Methods.byName("gradient");
					Explanation e = new Explainer(m, random).explain(gradient, MethodSettings.defaults(gradient), x, null,
						Target.TOP, ScoreKind.LOGIT, org.explainj.methods.Reduction.NONE, 8, (d, t) -> {});
					float[] expected = TestData.tensorFlowGradient(m, x.data(), 2, e.targets(), random);
					float[] trained = TestData.tensorFlowGradient(m, x.data(), 2, e.targets());
					assertTrue(!Arrays.equals(expected, trained), path + ": the fed weights should change the gradient");
					float max = 0;
					for (float v : expected) max = Math.max(max, Math.abs(v));
					assertArrayEquals(expected, e.maps(), 1e-5f * max, path.toString());
				}
				finally {
					random.values().forEach(TFloat32::close);
				}
			}
		}
	}

	@Test
	void feedingRandomWeightsChangesTheLogitsAndLeavesTheModelAsItWas(@TempDir Path tmp) throws Exception {
		Path region = Path.of("test-images/models/quality/region-model");
		for (Path path : List.of(TestData.MALARIA, TestData.tf1SavedModel(tmp.resolve("tf1"), true), region)) {
			try (ClassifierModel m = ModelLoader.load(path)) {
				InputBatch x = new InputBatch(TestData.randomImage(3, 2 * m.height() * m.width() * m.channels()), 2, m.height(),
					m.width(), m.channels());
				float[][] before = SanityCheck.logits(m, x, Map.of());
				List<LayerWeights.Linear> layers = LayerWeights.of(m);
				Map<Output<TFloat32>, TFloat32> random = SanityCheck.permuted(m, layers, 5);
				try {
					assertEquals(layers.stream().mapToLong(l -> l.tensors().size()).sum(), random.size());
					// a permutation: the same values in another order
					for (var e : random.entrySet()) {
						float[] original = values(m, e.getKey()), permuted = read(e.getValue());
						if (original.length > 8) assertTrue(!Arrays.equals(original, permuted), path + " " + e.getKey());
						Arrays.sort(original);
						Arrays.sort(permuted);
						assertArrayEquals(original, permuted, 0f);
					}
					float[][] randomised = SanityCheck.logits(m, x, random);
					double change = 0;
					for (int i = 0; i < 2; i++) for (int k = 0; k < m.numClasses(); k++) change = Math.max(change, Math.abs(
						randomised[i][k] - before[i][k]));
					assertTrue(change > 1e-2, path + ": logits changed by " + change);
				}
				finally {
					random.values().forEach(TFloat32::close);
				}
				float[][] after = SanityCheck.logits(m, x, Map.of());
				for (int i = 0; i < 2; i++) assertArrayEquals(before[i], after[i], 0f, path.toString());
			}
		}
	}

	/**
	 * The independent path: a second network built with the permuted weights as its constants gives the same
	 * maps as the trained one with those weights fed, for every method: they read the weights through
	 * gradients, the backward walk with its canonizer (bias folding), network copies and baseline runs.
	 */
	@Test
	void fedWeightsGiveTheMapsOfANetworkBuiltWithThem(@TempDir Path tmp) throws Exception {
		java.util.Random r = new java.util.Random(11);
		float[][][][] kernel = new float[3][3][1][4];
		for (var a : kernel) for (var b : a) for (var c : b) for (int i = 0; i < 4; i++) c[i] = (float) r.nextGaussian() * 0.5f;
		float[] bias = { 0.1f, -0.05f, 0.2f, 0f };
		float[][] dense = new float[64][3];
		for (var row : dense) for (int i = 0; i < 3; i++) row[i] = (float) r.nextGaussian() * 0.3f;
		float[] denseBias = { 0.05f, -0.1f, 0f };
		Path trained = tmp.resolve("trained.pb");
		try (TFloat32 k = TFloat32.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(kernel)); TFloat32 b = TFloat32
			.vectorOf(bias); TFloat32 d = TFloat32.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(dense)); TFloat32 db =
				TFloat32.vectorOf(denseBias))
		{
			frozen(trained, k, b, d, db);
		}
		InputBatch x = new InputBatch(TestData.randomImage(8, 3 * 64), 3, 8, 8, 1);
		// every method but CAM, which needs global average pooling before the dense layer
		List<String> names = Methods.all().stream().map(AttributionMethod::name).filter(n -> !n.equals("cam")).toList();
		try (ClassifierModel m = ModelLoader.load(trained)) {
			List<LayerWeights.Linear> layers = LayerWeights.of(m);
			assertEquals(2, layers.size());
			assertTrue(layers.get(0).bias() != null && layers.get(1).bias() != null, "both biases found");
			Map<Output<TFloat32>, TFloat32> random = SanityCheck.permuted(m, layers, 9);
			Path baked = tmp.resolve("baked.pb");
			try {
				frozen(baked, random.get(layers.get(0).kernel()), random.get(layers.get(0).bias()), random.get(layers.get(1)
					.kernel()), random.get(layers.get(1).bias()));
				try (ClassifierModel other = ModelLoader.load(baked)) {
					for (String name : names) {
						AttributionMethod method = Methods.byName(name);
						Map<Operand<?>, TFloat32> feeds = Map.copyOf(random);
						Explanation fed = explain(new Explainer(m, feeds), method, x);
						Explanation built = explain(new Explainer(other), method, x);
						Explanation plain = explain(new Explainer(m), method, x);
						double scale = 0, differs = 0;
						for (int i = 0; i < fed.maps().length; i++) {
							scale = Math.max(scale, Math.abs(built.maps()[i]));
							differs = Math.max(differs, Math.abs(plain.maps()[i] - built.maps()[i]));
						}
						assertArrayEquals(built.maps(), fed.maps(), (float) (1e-5 * scale + 1e-7), name);
						assertTrue(differs > 1e-3 * scale, name + ": the randomised map differs from the trained one");
					}
				}
			}
			finally {
				random.values().forEach(TFloat32::close);
			}
		}
	}

	/**
	 * On the region model (its decision rests on one 4x4 square) the cascade destroys the gradient family's
	 * maps, and the flag for model-independent maps is set exactly when a method's maps survive the whole
	 * cascade (the edge baseline, which reads no weight, is flagged).
	 */
	@Test
	void theCascadeChangesGradientMapsOnTheRegionModel() throws Exception {
		Path dir = Path.of("test-images/models/quality/region-model");
		try (ClassifierModel m = ModelLoader.load(dir)) {
			InputBatch all = TestData.reference(dir).input();
			List<AttributionMethod> methods = List.of("gradient", "gradient-x-input", "integrated-gradients",
				"guided-backprop", "lrp-epsilon", "edges").stream().map(BaselineAttributions::byName).toList();
			SanityCheck.Report report = SanityCheck.run(m, all, methods, 0, 32);
			assertEquals(2, report.layers().size());
			for (SanityCheck.MethodResult r : report.methods()) {
				r.rows().forEach(row -> System.out.printf(java.util.Locale.ROOT, "sanity region-model %-22s %-13s %-10s " +
					"spearman %.3f ssim %.3f top10 %.3f%n", row.method(), row.mode(), row.layer(), row.spearman(), row.ssim(),
					row.top10()));
				List<SanityCheck.Row> cascade = r.rows(SanityCheck.CASCADING);
				assertEquals(2, cascade.size());
				assertEquals(2, r.rows(SanityCheck.INDEPENDENT).size());
				assertEquals(1, r.rows(SanityCheck.RANDOM_CLASS).size());
				double full = cascade.get(cascade.size() - 1).spearman();
				assertEquals(full >= SanityCheck.MODEL_INDEPENDENT, r.modelIndependent(), r.method());
				if (r.method().equals("edges")) {
					// the image's own edges know nothing of the weights: every comparison is the same map
					assertTrue(r.modelIndependent());
					r.rows().forEach(row -> assertEquals(1, row.spearman(), 1e-12, row.toString()));
				}
				else if (!r.method().equals("guided-backprop")) assertTrue(full < 0.5, r.method() + " keeps spearman " + full);
			}
		}
	}

	/** A network whose output ignores its weights (times zero) is refused with one sentence, not reported as fine. */
	@Test
	void aModelWhoseOutputIgnoresItsWeightsIsRefused(@TempDir Path tmp) throws Exception {
		Path file = tmp.resolve("ignores.pb");
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g).withSubScope("dense");
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4,
				1)));
			float[][] w = new float[16][2];
			for (int i = 0; i < 16; i++) w[i][i % 2] = i;
			Operand<TFloat32> z = tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] { -1, 16 })), tf.constant(w));
			tf.withName("probabilities").nn.softmax(tf.math.add(tf.math.mul(z, tf.constant(0f)), tf.constant(new float[] {
				1, 2 })));
			Files.write(file, g.toGraphDef().toByteArray());
		}
		try (ClassifierModel m = ModelLoader.load(file)) {
			InputBatch x = new InputBatch(TestData.randomImage(1, 16), 1, 4, 4, 1);
			var e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> SanityCheck.run(
				m, x, List.of(Methods.byName("gradient")), 0, 8));
			assertTrue(e.getMessage().contains("did not change its output"), e.getMessage());
		}
	}

	private static Explanation explain(Explainer explainer, AttributionMethod method, InputBatch x) {
		return explainer.explain(method, MethodSettings.of(method, Map.of()), x, null, new Target("1"), ScoreKind.LOGIT,
			method.defaultReduction(), 64, (d, t) -> {});
	}

	/** 8x8x1 -> 3x3 conv (4) + bias -> ReLU -> 2x2 max pool -> dense (3) + bias -> softmax, weights as constants. */
	private static void frozen(Path file, TFloat32 kernel, TFloat32 bias, TFloat32 dense, TFloat32 denseBias)
		throws java.io.IOException
	{
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8,
				1)));
			// layers are name scopes, as in exported models (Grad-CAM finds its layer through them)
			Ops conv = tf.withSubScope("conv"), pool = tf.withSubScope("pool"), fc = tf.withSubScope("dense");
			Operand<TFloat32> h = conv.nn.relu(conv.nn.biasAdd(conv.nn.conv2d(x, conv.constantOf(kernel), List.of(1L, 1L, 1L,
				1L), "SAME"), conv.constantOf(bias)));
			h = pool.nn.maxPool(h, pool.constant(new int[] { 1, 2, 2, 1 }), pool.constant(new int[] { 1, 2, 2, 1 }), "VALID");
			h = pool.reshape(h, pool.constant(new int[] { -1, 64 }));
			Operand<TFloat32> logits = fc.math.add(fc.linalg.matMul(h, fc.constantOf(dense)), fc.constantOf(denseBias));
			tf.withName("probabilities").nn.softmax(logits);
			Files.write(file, g.toGraphDef().toByteArray());
		}
	}

	private static float[] values(ClassifierModel m, Output<TFloat32> t) {
		try (org.tensorflow.Result r = m.session().runner().fetch(t).run()) {
			return read((TFloat32) r.get(0));
		}
	}

	private static float[] read(TFloat32 t) {
		float[] v = new float[(int) t.shape().size()];
		t.asRawTensor().data().asFloats().read(v);
		return v;
	}
}
