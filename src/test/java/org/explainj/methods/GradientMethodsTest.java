package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The gradient family against independent references: central finite differences of the model's own
 * forward pass, exact identities between the methods, and the completeness of gradient x input on a
 * bias-free ReLU network.
 */
class GradientMethodsTest {

	@TempDir
	static Path tmp;

	static ClassifierModel tf1, tf1BiasFree, malaria, mnist;

	@BeforeAll
	static void load() throws Exception {
		tf1 = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("tf1"), true));
		tf1BiasFree = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("tf1-bias-free"), false));
		malaria = ModelLoader.load(TestData.MALARIA);
		mnist = ModelLoader.load(TestData.MNIST);
	}

	@AfterAll
	static void close() {
		Stream.of(tf1, tf1BiasFree, malaria, mnist).forEach(ClassifierModel::close);
	}

	static InputBatch input(ClassifierModel model) {
		if (model == malaria) return ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(
			TestData.PARASITIZED)), model, IntensityScaling.UNIT);
		if (model == mnist) return ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.DIGIT)),
			model, IntensityScaling.UNIT);
		int size = model.height() * model.width() * model.channels();
		return new InputBatch(TestData.randomImage(3, size), 1, model.height(), model.width(), model.channels());
	}

	static Stream<Arguments> models() {
		return Stream.of(Arguments.of("tf1", tf1), Arguments.of("malaria", malaria), Arguments.of("mnist", mnist));
	}

	static float[][] logits(ClassifierModel model, float[] data, int n) {
		return TestData.logits(model, data, n);
	}

	static Explanation explain(ClassifierModel model, AttributionMethod method, InputBatch x, Reduction reduction) {
		return new Explainer(model).explain(method, x, Target.TOP, ScoreKind.LOGIT, reduction, 8);
	}

	// the models are AutoCloseable: JUnit would close them after the first use
	@ParameterizedTest(name = "{0}", autoCloseArguments = false)
	@MethodSource("models")
	void gradientMatchesCentralFiniteDifferences(String name, ClassifierModel model) {
		// Real images have flat regions (black background, saturated strokes) where max-pool windows hold
		// ties: there the gradient picks one winner and finite differences another. Seeded noise of 1/100
		// of the range removes the ties, not the image.
		InputBatch clean = input(model);
		float[] noise = TestData.randomImage(5, clean.imageSize());
		float[] noisy = new float[clean.imageSize()];
		for (int i = 0; i < noisy.length; i++) noisy[i] = clean.data()[i] + 0.01f * noise[i];
		InputBatch x = new InputBatch(noisy, 1, clean.height(), clean.width(), clean.channels());
		Explanation e = explain(model, new GradientMethod(), x, Reduction.NONE);
		float[] g = e.map(0);
		int c = e.targets()[0];
		int size = x.imageSize();
		// Directional derivatives along 4 random +-1 directions, all in one batch of 8 forward passes; the
		// tolerance is relative to sum |g_i d_i|, the size a wrong gradient would be off by.
		int dirs = 4;
		float h = 1e-4f;
		float[] batch = new float[2 * dirs * size];
		double[] dot = new double[dirs], scale = new double[dirs];
		Random r = new Random(11);
		for (int d = 0; d < dirs; d++) {
			for (int i = 0; i < size; i++) {
				float s = r.nextBoolean() ? 1 : -1;
				batch[(2 * d) * size + i] = x.data()[i] + h * s;
				batch[(2 * d + 1) * size + i] = x.data()[i] - h * s;
				dot[d] += s * g[i];
				scale[d] += Math.abs(s * g[i]);
			}
		}
		float[][] f = logits(model, batch, 2 * dirs);
		for (int d = 0; d < dirs; d++) {
			double fd = (f[2 * d][c] - f[2 * d + 1][c]) / (2.0 * h);
			assertEquals(dot[d], fd, 5e-3 * scale[d], name + " direction " + d + ": gradient . d = " + dot[d] +
				", finite difference " + fd);
		}
		// Single pixels: the 5 largest gradient entries. ReLU and max-pool kinks lie within ~1e-3 of some of
		// them (the finite difference drifts towards the gradient as h shrinks, until float32 noise takes
		// over), hence 5% of the largest entry: a wrong layer, sign or factor is off by far more.
		h = 1e-3f;
		Integer[] order = new Integer[size];
		for (int i = 0; i < size; i++) order[i] = i;
		java.util.Arrays.sort(order, (a, b) -> Float.compare(Math.abs(g[b]), Math.abs(g[a])));
		float[] pixels = new float[10 * size];
		for (int k = 0; k < 5; k++) {
			System.arraycopy(x.data(), 0, pixels, 2 * k * size, size);
			System.arraycopy(x.data(), 0, pixels, (2 * k + 1) * size, size);
			pixels[2 * k * size + order[k]] += h;
			pixels[(2 * k + 1) * size + order[k]] -= h;
		}
		float[][] fp = logits(model, pixels, 10);
		for (int k = 0; k < 5; k++) {
			double fd = (fp[2 * k][c] - fp[2 * k + 1][c]) / (2.0 * h);
			assertEquals(g[order[k]], fd, 0.05 * Math.abs(g[order[0]]), name + " pixel " + order[k]);
		}
	}

	@Test
	void kerasModelIsExplainedThroughItsLogitNotTheSaturatedSoftmax() {
		assertEquals("TF2/Keras SavedModel (functions inlined)", mnist.format());
		assertEquals("BiasAdd", mnist.logits().op().type());
		InputBatch x = input(mnist);
		float[] logit = logits(mnist, x.data(), 1)[0];
		for (ScoreKind kind : ScoreKind.values()) {
			Explanation e = new Explainer(mnist).explain(new GradientMethod(), x, Target.TOP, kind, Reduction.SUM, 1);
			int c = e.predicted()[0];
			assertEquals(8, c, "the test digit is an 8");
			double logSumExp = logSumExp(logit);
			double expected = switch (kind) {
				case LOGIT -> logit[c];
				case PROBABILITY -> Math.exp(logit[c] - logSumExp);
				case LOG_PROBABILITY -> logit[c] - logSumExp;
			};
			assertEquals(expected, e.targetScores()[0], 1e-4 * Math.max(1, Math.abs(expected)), kind.cliName());
			assertEquals(Math.exp(logit[c] - logSumExp), e.probabilities()[0][c], 1e-5);
		}
		// the softmax saturates on this digit, its logit does not: the point of explaining logits
		assertTrue(logit[8] - secondLargest(logit) > 10, "margin " + (logit[8] - secondLargest(logit)));
	}

	private static double logSumExp(float[] v) {
		double max = Double.NEGATIVE_INFINITY, sum = 0;
		for (float f : v) max = Math.max(max, f);
		for (float f : v) sum += Math.exp(f - max);
		return max + Math.log(sum);
	}

	private static float secondLargest(float[] v) {
		float[] s = v.clone();
		java.util.Arrays.sort(s);
		return s[s.length - 2];
	}

	@Test
	void gradientTimesInputSumsToTheLogitOfABiasFreeReluNetwork() {
		InputBatch x = input(tf1BiasFree);
		Explanation e = explain(tf1BiasFree, new GradientTimesInputMethod(), x, Reduction.SUM);
		double sum = 0;
		for (float v : e.map(0)) sum += v;
		float logit = logits(tf1BiasFree, x.data(), 1)[0][e.targets()[0]];
		assertEquals(logit, sum, 1e-4 * Math.abs(logit));
		assertEquals(logit, e.targetScores()[0], 1e-6);
		// with biases the sum differs from the logit: the check can fail
		InputBatch xb = input(tf1);
		Explanation eb = explain(tf1, new GradientTimesInputMethod(), xb, Reduction.SUM);
		double sumb = 0;
		for (float v : eb.map(0)) sumb += v;
		assertTrue(Math.abs(sumb - eb.targetScores()[0]) > 1e-3);
	}

	// the models are AutoCloseable: JUnit would close them after the first use
	@ParameterizedTest(name = "{0}", autoCloseArguments = false)
	@MethodSource("models")
	void sensitivitySaliencyAndGradientXInputFollowFromTheGradient(String name, ClassifierModel model) {
		InputBatch x = input(model);
		float[] g = explain(model, new GradientMethod(), x, Reduction.NONE).map(0);
		float[] sens = explain(model, new SensitivityMethod(), x, Reduction.SUM).map(0);
		float[] sal = explain(model, new SaliencyMethod(), x, Reduction.MAX_ABS).map(0);
		float[] gxi = explain(model, new GradientTimesInputMethod(), x, Reduction.NONE).map(0);
		int c = model.channels();
		for (int p = 0; p < sal.length; p++) {
			double sq = 0, max = 0;
			for (int k = 0; k < c; k++) {
				double v = g[p * c + k];
				sq += v * v; // sensitivity summed over channels: the squared norm of the pixel's gradient
				max = Math.max(max, Math.abs(v));
				assertEquals(x.data()[p * c + k] * v, gxi[p * c + k], 1e-6 * (1 + Math.abs(v)));
			}
			assertEquals(max, sal[p], 1e-7 + 1e-6 * max);
			assertEquals(sq, sens[p], 1e-6 * (1e-12 + sq));
		}
	}

	@Test
	void aBatchGivesTheSameMapsAsOneImageAtATimeWithPerImageTopTargets() {
		InputBatch one = input(malaria);
		InputBatch other = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.UNINFECTED)),
			malaria, IntensityScaling.UNIT);
		float[] both = new float[2 * one.imageSize()];
		System.arraycopy(one.data(), 0, both, 0, one.imageSize());
		System.arraycopy(other.data(), 0, both, one.imageSize(), one.imageSize());
		InputBatch pair = new InputBatch(both, 2, one.height(), one.width(), one.channels());
		Explanation batched = explain(malaria, new SaliencyMethod(), pair, Reduction.MAX_ABS);
		assertArrayEquals(new int[] { 0, 1 }, batched.targets(), "parasitized -> infected (0), uninfected -> 1");
		assertArrayEquals(explain(malaria, new SaliencyMethod(), one, Reduction.MAX_ABS).map(0), batched.map(0), 1e-5f);
		assertArrayEquals(explain(malaria, new SaliencyMethod(), other, Reduction.MAX_ABS).map(0), batched.map(1), 1e-5f);
	}
}
