package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.explainj.ExplainException;
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

/** Integrated gradients, the noise tunnel and occlusion against their axioms and hand computations. */
class PathNoiseOcclusionTest {

	static ClassifierModel malaria, mnist;
	static InputBatch cell, digit;

	@BeforeAll
	static void load() {
		malaria = ModelLoader.load(TestData.MALARIA);
		mnist = ModelLoader.load(TestData.MNIST);
		cell = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), malaria,
			IntensityScaling.UNIT);
		digit = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.DIGIT)), mnist,
			IntensityScaling.UNIT);
	}

	@AfterAll
	static void close() {
		malaria.close();
		mnist.close();
	}

	static Explanation run(ClassifierModel model, String method, InputBatch x, Reduction reduction,
		Map<String, String> parameters)
	{
		AttributionMethod m = Methods.byName(method);
		return new Explainer(model).explain(m, MethodSettings.of(m, parameters), x, null, Target.TOP, ScoreKind.LOGIT,
			reduction, 8, (a, b) -> {});
	}

	static double sum(float[] v) {
		double s = 0;
		for (float f : v) s += f;
		return s;
	}

	@Test
	void integratedGradientsCompletenessGapShrinksWithSteps() {
		for (ClassifierModel model : new ClassifierModel[] { malaria, mnist }) {
			InputBatch x = model == malaria ? cell : digit;
			double previous = Double.MAX_VALUE;
			for (int steps : new int[] { 8, 32, 128 }) {
				Explanation e = run(model, "integrated-gradients", x, Reduction.SUM, Map.of("steps", "" + steps));
				float gap = e.diagnostics().get(IntegratedGradientsMethod.GAP)[0];
				// the reported gap is the map's own sum minus f(x) - f(0), f(0) computed independently here
				double f0 = GradientMethodsTest.logits(model, new float[x.imageSize()], 1)[0][e.targets()[0]];
				double fx = GradientMethodsTest.logits(model, x.data(), 1)[0][e.targets()[0]];
				assertEquals(sum(e.map(0)) - (fx - f0), gap, 1e-3 * Math.abs(fx - f0));
				System.out.printf("IG %s steps %d: f(x)-f(x0) %.4f gap %.5f%n", model.path().getFileName(), steps, fx - f0,
					gap);
				assertTrue(Math.abs(gap) < previous, "gap " + gap + " after " + previous);
				previous = Math.abs(gap);
			}
			assertTrue(previous < 0.05 * Math.abs(run(model, "gradient", x, Reduction.SUM, Map.of()).targetScores()[0]) + 0.05,
				"128 steps nearly complete: " + previous);
		}
	}

	@Test
	void gaussLegendreIntegratesPolynomialsExactly() {
		double[][] q = IntegratedGradientsMethod.gaussLegendre(5);
		double one = 0, x8 = 0;
		for (int i = 0; i < 5; i++) {
			one += q[1][i];
			x8 += q[1][i] * Math.pow(q[0][i], 8);
		}
		assertEquals(1, one, 1e-12);
		assertEquals(1 / 9.0, x8, 1e-12, "degree 2m-2 on [0,1]");
		Explanation gl = run(mnist, "integrated-gradients", digit, Reduction.SUM, Map.of("steps", "16", "rule",
			"gauss-legendre"));
		assertTrue(Math.abs(gl.diagnostics().get(IntegratedGradientsMethod.GAP)[0]) < 1, "gauss-legendre gap");
	}

	@Test
	void blurBaselineDiffersFromZerosAndUnknownOnesAreNamed() {
		Explanation blur = run(malaria, "integrated-gradients", cell, Reduction.SUM, Map.of("baseline", "blur", "steps",
			"16"));
		Explanation zeros = run(malaria, "integrated-gradients", cell, Reduction.SUM, Map.of("steps", "16"));
		assertFalse(Arrays.equals(blur.map(0), zeros.map(0)));
		ExplainException e = assertThrows(ExplainException.class, () -> run(malaria, "integrated-gradients", cell,
			Reduction.SUM, Map.of("rule", "simpson")));
		assertTrue(e.getMessage().contains("[riemann, gauss-legendre]"), e.getMessage());
		// a constant baseline of 0 is the zeros baseline
		assertArrayEquals(zeros.map(0), run(malaria, "integrated-gradients", cell, Reduction.SUM, Map.of("steps", "16",
			"baseline", "0")).map(0), 0f);
		ExplainException f = assertThrows(ExplainException.class, () -> run(malaria, "integrated-gradients", cell,
			Reduction.SUM, Map.of("baseline", "/tmp/some.png")));
		assertTrue(f.getMessage().contains("needs a reference image"), f.getMessage());
	}

	@Test
	void noiseTunnelWithoutNoiseIsTheWrappedMethod() {
		for (String of : new String[] { "gradient", "gradient-x-input", "grad-cam" }) {
			Explanation plain = run(malaria, of, cell, Reduction.SUM, Map.of());
			Explanation tunnel = run(malaria, "smoothgrad", cell, Reduction.SUM, Map.of("of", of, "noise", "0", "samples",
				"4"));
			float[] a = plain.map(0), b = tunnel.map(0);
			float max = 0;
			for (float v : a) max = Math.max(max, Math.abs(v));
			assertArrayEquals(a, b, 1e-5f * max, of);
		}
	}

	@Test
	void noiseTunnelIsReproducibleBySeedAndItsVariantsAreConsistent() {
		Map<String, String> p = Map.of("samples", "8", "seed", "3");
		float[] first = run(malaria, "smoothgrad", cell, Reduction.NONE, p).map(0);
		assertArrayEquals(first, run(malaria, "smoothgrad", cell, Reduction.NONE, p).map(0), 0f);
		assertFalse(Arrays.equals(first, run(malaria, "smoothgrad", cell, Reduction.NONE, Map.of("samples", "8", "seed",
			"4")).map(0)));
		// vargrad = E[g^2] - E[g]^2, element by element
		float[] squared = run(malaria, "smoothgrad", cell, Reduction.NONE, Map.of("samples", "8", "seed", "3", "variant",
			"smoothgrad-squared")).map(0);
		float[] vargrad = run(malaria, "smoothgrad", cell, Reduction.NONE, Map.of("samples", "8", "seed", "3", "variant",
			"vargrad")).map(0);
		for (int i = 0; i < first.length; i++) {
			assertEquals(squared[i] - first[i] * first[i], vargrad[i], 1e-4 * (squared[i] + 1e-6));
		}
		ExplainException e = assertThrows(ExplainException.class, () -> run(malaria, "smoothgrad", cell, Reduction.SUM,
			Map.of("of", "smoothgrad")));
		// the declared choices of 'of' are the other methods
		assertTrue(e.getMessage().startsWith("smoothgrad: 'of' cannot be 'smoothgrad'. Use one of [gradient, "), e
			.getMessage());
	}

	@Test
	void occlusionOfQuadrantsMatchesScoresOfHandOccludedImages() {
		int h = 44, c = 3, size = h * h * c;
		Explanation e = run(malaria, "occlusion", cell, Reduction.SUM, Map.of("patch", "22", "stride", "22", "fill",
			"0.5"));
		float[] occluded = new float[4 * size];
		for (int q = 0; q < 4; q++) {
			System.arraycopy(cell.data(), 0, occluded, q * size, size);
			int y0 = q / 2 * 22, x0 = q % 2 * 22;
			for (int y = y0; y < y0 + 22; y++) for (int x = x0; x < x0 + 22; x++) for (int k = 0; k < c; k++) {
				occluded[q * size + (y * h + x) * c + k] = 0.5f;
			}
		}
		float[][] scores = GradientMethodsTest.logits(malaria, occluded, 4);
		int t = e.targets()[0];
		float[] map = e.map(0);
		for (int q = 0; q < 4; q++) {
			float drop = e.targetScores()[0] - scores[q][t];
			int y = q / 2 * 22 + 5, x = q % 2 * 22 + 7;
			assertEquals(drop, map[y * h + x], 1e-4 * (1 + Math.abs(drop)), "quadrant " + q);
		}
		assertArrayEquals(new int[] { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36 }, OcclusionMethod.starts(44, 8, 4));
		assertArrayEquals(new int[] { 0, 6, 12, 16 }, OcclusionMethod.starts(26, 10, 6), "last window flush");
	}

	/**
	 * Integrated gradients of "infected" on the parasitized crops: pixel-level, so its maximum must lie on
	 * the parasite mask itself (dilated by 2 px for the resize to 44x44 and back), and its positive mass
	 * on the mask must exceed the mask's share of the cell.
	 */
	@Test
	void integratedGradientsPointAtTheParasite() throws Exception {
		for (java.nio.file.Path crop : TestData.parasitizedCrops()) {
			ij.ImagePlus image = TestData.open(crop);
			float[] map = TestData.explain(image, TestData.MALARIA, "integrated-gradients", "infected", Map.of()).map(0, 0);
			TestData.ParasiteScore s = TestData.parasiteScore(image, map);
			System.out.printf(java.util.Locale.ROOT, "pointing game integrated-gradients %s: mass share on mask %.3f vs " +
				"area share %.3f (x%.1f); max %.1f px from the mask%n", crop.getFileName(), s.massShare(), s.areaShare(), s
					.enrichment(), s.distance());
			assertTrue(s.distance() <= 2, crop + ": maximum " + s.distance() + " px from the parasite");
			assertTrue(s.massShare() > s.areaShare(), crop + ": " + s);
		}
	}

	@Test
	void aNoiseTunnelAroundGradCamRunsGradCamOnTheNoisyCopies() {
		float[] plain = run(malaria, "grad-cam", cell, Reduction.SUM, Map.of()).map(0);
		float[] noisy = run(malaria, "smoothgrad", cell, Reduction.SUM, Map.of("of", "grad-cam", "samples", "4", "noise",
			"0.3")).map(0);
		double difference = 0, size = 0;
		for (int i = 0; i < plain.length; i++) {
			difference += Math.abs(plain[i] - noisy[i]);
			size += Math.abs(plain[i]);
		}
		assertTrue(difference > 0.05 * size, "noise must reach the layer: relative change " + difference / size);
	}

	/** One right-endpoint step: IG is (x - x0) times the gradient at x itself. */
	@Test
	void oneRiemannStepIsGradientTimesInputDifference() {
		float[] ig = run(malaria, "integrated-gradients", cell, Reduction.NONE, Map.of("steps", "1", "baseline", "0.25"))
			.map(0);
		float[] g = run(malaria, "gradient", cell, Reduction.NONE, Map.of()).map(0);
		for (int i = 0; i < g.length; i++) assertEquals((cell.data()[i] - 0.25f) * g[i], ig[i], 1e-6f * (1 + Math.abs(g[i])));
	}

	/** Inside a noise tunnel the method's diagnostics are per image, and an image's map does not depend on its batch. */
	@Test
	void noiseTunnelKeepsDiagnosticsPerImageAndMapsIndependentOfTheBatch() {
		InputBatch other = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.UNINFECTED)), malaria,
			IntensityScaling.UNIT);
		float[] both = new float[2 * cell.imageSize()];
		System.arraycopy(other.data(), 0, both, 0, cell.imageSize());
		System.arraycopy(cell.data(), 0, both, cell.imageSize(), cell.imageSize());
		InputBatch pair = new InputBatch(both, 2, 44, 44, 3);
		Map<String, String> quiet = Map.of("of", "integrated-gradients", "noise", "0", "samples", "3");
		Explanation tunnel = run(malaria, "smoothgrad", pair, Reduction.SUM, quiet);
		Explanation plain = run(malaria, "integrated-gradients", pair, Reduction.SUM, Map.of());
		assertArrayEquals(plain.diagnostics().get(IntegratedGradientsMethod.GAP), tunnel.diagnostics().get(
			IntegratedGradientsMethod.GAP), 1e-4f);
		Map<String, String> noisy = Map.of("samples", "4", "seed", "9");
		float[] alone = run(malaria, "smoothgrad", cell, Reduction.SUM, noisy).map(0);
		float[] second = run(malaria, "smoothgrad", pair, Reduction.SUM, noisy).map(1);
		float max = 0;
		for (float v : alone) max = Math.max(max, Math.abs(v));
		assertArrayEquals(alone, second, 1e-5f * max);
	}

	/** Batch size counts network evaluations: IG of 4 images in runs of 1 or of all 4 gives the same maps. */
	@Test
	void methodsWithManyEvaluationsPerImageAreChunked() {
		float[] four = new float[4 * cell.imageSize()];
		for (int i = 0; i < 4; i++) System.arraycopy(cell.data(), 0, four, i * cell.imageSize(), cell.imageSize());
		InputBatch x = new InputBatch(four, 4, 44, 44, 3);
		AttributionMethod ig = Methods.byName("integrated-gradients");
		MethodSettings s = MethodSettings.of(ig, Map.of("steps", "8"));
		assertEquals(9, ig.evaluationsPerImage(s, 44, 44));
		Explanation small = new Explainer(malaria).explain(ig, s, x, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 9,
			(a, b) -> {});
		Explanation large = new Explainer(malaria).explain(ig, s, x, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM,
			1000, (a, b) -> {});
		assertArrayEquals(large.maps(), small.maps(), 1e-5f);
		assertEquals(100 + 1, Methods.byName("occlusion").evaluationsPerImage(MethodSettings.defaults(Methods.byName(
			"occlusion")), 44, 44), "10 x 10 windows and the image itself");
	}
}
