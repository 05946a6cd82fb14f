package org.explainj.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionContext;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Selectivity and continuity against hand computations and constructed cases. */
class MetricsTest {

	@Test
	void aucAndAopcOfAThreeStepCurveByHand() {
		float[] curve = { 4, 3, 1, 0 };
		// trapezoids (4+3)/2 + (3+1)/2 + (1+0)/2 = 6, over 3 steps and f0 = 4
		assertEquals(0.5, Selectivity.auc(curve), 1e-12);
		// mean of f0 - ft over t = 0..3: (0 + 1 + 3 + 4) / 4
		assertEquals(2.0, Selectivity.aopc(curve), 1e-12);
	}

	/** The curve's points are the logits of images whose windows were zeroed by hand, in relevance order. */
	@Test
	void perturbationCurveMatchesHandZeroedImages() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), m,
				IntensityScaling.UNIT);
			float[] relevance = new float[44 * 44];
			// window (row 5, col 6) most relevant, then window (2, 3); 4x4 windows
			for (int y = 0; y < 4; y++) for (int xx = 0; xx < 4; xx++) {
				relevance[(5 * 4 + y) * 44 + 6 * 4 + xx] = 1f;
				relevance[(2 * 4 + y) * 44 + 3 * 4 + xx] = 0.5f;
			}
			float[][] curves = Selectivity.curves(m, x, relevance, new int[] { 0 }, new Selectivity.Settings(4, 2, "zeros",
				0), 32);
			float[] first = x.data().clone(), both;
			zero(first, 5, 6);
			both = first.clone();
			zero(both, 2, 3);
			float[] images = new float[3 * x.imageSize()];
			System.arraycopy(x.data(), 0, images, 0, x.imageSize());
			System.arraycopy(first, 0, images, x.imageSize(), x.imageSize());
			System.arraycopy(both, 0, images, 2 * x.imageSize(), x.imageSize());
			float[][] logits = TestData.logits(m, images, 3);
			assertArrayEquals(new float[] { logits[0][0], logits[1][0], logits[2][0] }, curves[0], 1e-4f);
		}
	}

	private static void zero(float[] image, int row, int col) {
		for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) for (int c = 0; c < 3; c++) {
			image[((row * 4 + y) * 44 + col * 4 + x) * 3 + c] = 0;
		}
	}

	/** R = x (continuous) and R = step(x - 0.5) (piecewise constant), for the continuity check. */
	private static AttributionMethod constructed(String name, boolean step) {
		return new AttributionMethod() {
			@Override public String name() { return name; }

			@Override public String title() { return name; }

			@Override public String description() { return name; }

			@Override public Reduction defaultReduction() { return Reduction.SUM; }

			@Override
			public Operand<TFloat32> build(AttributionContext c) {
				return step ? c.tf().dtypes.cast(c.tf().math.greater(c.input(), c.tf().constant(0.5f)), TFloat32.class) : c
					.input();
			}
		};
	}

	@Test
	void aPiecewiseConstantAttributionIsDetectedAsDiscontinuous() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			// a shallow ramp around 0.5 (1e-4 per column), perturbed by noise of about the same size: a few columns
			// cross the step's threshold at each step, while the input changes by very little
			float[] ramp = new float[44 * 44 * 3];
			for (int i = 0; i < ramp.length; i++) ramp[i] = 0.5f + ((i / 3) % 44 - 21.5f) * 1e-4f;
			InputBatch x = new InputBatch(ramp, 1, 44, 44, 3);
			Continuity.Settings s = new Continuity.Settings(6, "gaussian", 0.02, 3);
			InputBatch sequence = Continuity.sequence(m, x, s);
			double[] max = new double[2];
			for (int k = 0; k < 2; k++) {
				AttributionMethod method = constructed(k == 0 ? "identity" : "step", k == 1);
				Explanation e = new Explainer(m).explain(method, MethodSettings.of(method, java.util.Map.of()), sequence,
					null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {});
				for (float r : Continuity.ratios(m, sequence, e.maps(), e.height(), e.width(), e.channels())) max[k] = Math
					.max(max[k], r);
			}
			// the identity's ratio is ||sum_c dx||_1 / ||dx||_2 <= sqrt(3 * 44 * 44): bounded whatever the noise
			assertTrue(max[0] <= Math.sqrt(3 * 44 * 44) + 1e-3, "identity " + max[0]);
			System.out.printf(java.util.Locale.ROOT, "continuity: identity %.1f, step %.1f%n", max[0], max[1]);
			assertTrue(max[1] > 20 * max[0], "step " + max[1] + " vs identity " + max[0]);
		}
	}

	@Test
	void everyMethodBeatsTheRandomBaselineOnTheMalariaCells() throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA); var files = java.nio.file.Files.list(
			TestData.MALARIA_IMAGES))
		{
			List<ij.ImagePlus> cells = files.filter(p -> p.toString().endsWith(".png")).sorted().map(TestData::open).toList();
			InputBatch batch = org.explainj.job.EvaluationReport.batch(cells, m, IntensityScaling.UNIT);
			List<AttributionMethod> methods = java.util.stream.Stream.of("gradient-x-input", "lrp-epsilon", "deep-taylor",
				"integrated-gradients", "grad-cam", "random").map(BaselineAttributions::byName).toList();
			var scores = MethodComparison.run(m, batch, methods, new Selectivity.Settings(4, 20, "zeros", 0), null, 8);
			assertEquals("random", scores.get(scores.size() - 1).method(), "random ranks last: " + scores);
			scores.forEach(s -> System.out.printf(java.util.Locale.ROOT, "selectivity malaria %-22s AUC %.4f AOPC %.4f%n", s
				.method(), s.auc(), s.aopc()));
		}
	}

	/**
	 * The region model decides from one 4x4 square only (its first layer's weights are zero elsewhere,
	 * tools/fixtures/make_quality_fixtures.py). On its class-1 images (a bright square: zeroing it removes
	 * the evidence) every attribution method finds the square first and gets a lower AUC than random.
	 */
	@Test
	void everyMethodBeatsRandomOnAModelThatLooksAtOneRegion() throws Exception {
		java.nio.file.Path dir = java.nio.file.Path.of("test-images/models/quality/region-model");
		try (ClassifierModel m = ModelLoader.load(dir)) {
			InputBatch all = TestData.reference(dir).input();
			int size = all.imageSize();
			InputBatch classOne = new InputBatch(java.util.Arrays.copyOfRange(all.data(), 2 * size, 4 * size), 2, 16, 16, 1);
			List<String> names = List.of("gradient", "sensitivity", "saliency", "gradient-x-input", "integrated-gradients",
				"smoothgrad", "occlusion", "guided-backprop", "deconvnet", "lrp-0", "lrp-epsilon", "lrp-gamma",
				"lrp-alpha-beta", "lrp-zplus", "lrp-epsilon-plus", "deep-taylor", "deeplift", "edges", "random");
			var scores = MethodComparison.run(m, classOne, names.stream().map(BaselineAttributions::byName).toList(),
				new Selectivity.Settings(4, 4, "zeros", 0), null, 8);
			double random = scores.stream().filter(s -> s.method().equals("random")).findFirst().orElseThrow().auc();
			for (var s : scores) {
				System.out.printf(java.util.Locale.ROOT, "selectivity region-model %-22s AUC %.4f AOPC %.4f%n", s.method(), s
					.auc(), s.aopc());
				if (!s.method().equals("random") && !s.method().equals("edges")) assertTrue(s.auc() < random, s.method() +
					" AUC " + s.auc() + " vs random " + random);
			}
		}
	}

	/** Chunking bounds memory and changes nothing: curves with 1 or 64 perturbed images per run agree. */
	@Test
	void selectivityCurvesDoNotDependOnTheBatchSize() throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA); var files = java.nio.file.Files.list(
			TestData.MALARIA_IMAGES))
		{
			List<ij.ImagePlus> cells = files.filter(p -> p.toString().endsWith(".png")).sorted().map(TestData::open).toList();
			InputBatch batch = org.explainj.job.EvaluationReport.batch(cells, m, IntensityScaling.UNIT);
			AttributionMethod method = BaselineAttributions.byName("gradient-x-input");
			Explanation e = new Explainer(m).explain(method, MethodSettings.of(method, java.util.Map.of()), batch, null,
				Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {});
			Selectivity.Settings s = new Selectivity.Settings(4, 10, "mean", 0);
			float[][] one = Selectivity.curves(m, batch, e.maps(), e.targets(), s, 1);
			float[][] many = Selectivity.curves(m, batch, e.maps(), e.targets(), s, 64);
			for (int i = 0; i < one.length; i++) assertArrayEquals(many[i], one[i], 1e-4f);
		}
	}
}
