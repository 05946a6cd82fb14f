package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.DeepLiftMethod;
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

/** DeepLIFT's summation-to-delta, checked against logits computed straight from the session. */
class DeepLiftTest {

	static Explanation run(ClassifierModel m, InputBatch x, Map<String, String> p) {
		AttributionMethod a = Methods.byName("deeplift");
		return new Explainer(m).explain(a, MethodSettings.of(a, p), x, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM,
			8, (d, t) -> {});
	}

	@Test
	void contributionsSumToTheDifferenceOfLogitsFromTheBaseline() throws Exception {
		Path[] models = { TestData.MALARIA, TestData.MNIST, KerasFixturesTest.DIR.resolve("avgpool"), KerasFixturesTest.DIR
			.resolve("stride2-valid"), KerasFixturesTest.DIR.resolve("residual-bn") };
		for (Path p : models) {
			try (ClassifierModel m = ModelLoader.load(p)) {
				InputBatch x;
				if (p == TestData.MALARIA) x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(
					TestData.PARASITIZED)), m, IntensityScaling.UNIT);
				else if (p == TestData.MNIST) x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(
					TestData.DIGIT)), m, IntensityScaling.UNIT);
				else x = TestData.reference(p).input();
				Explanation e = run(m, x, Map.of());
				float[][] logits = logits(m, x);
				float[][] atBaseline = logits(m, new InputBatch(new float[x.data().length], x.n(), x.height(), x.width(), x
					.channels()));
				for (int i = 0; i < x.n(); i++) {
					int c = e.targets()[i];
					double delta = logits[i][c] - atBaseline[i][c], sum = 0;
					for (float v : e.map(i)) sum += v;
					System.out.printf(Locale.ROOT, "deeplift %s image %d: sum %.6f, f(x) - f(x0) %.6f%n", p.getFileName(), i,
						sum, delta);
					assertEquals(delta, sum, 1e-4 * Math.max(1, Math.abs(delta)), p + " image " + i);
					assertEquals(sum - delta, e.diagnostics().get(DeepLiftMethod.GAP)[i], 1e-4 * Math.max(1, Math.abs(delta)));
				}
			}
		}
	}

	@Test
	void plainGradientRoutingThroughMaxPoolingBreaksSummationToDelta() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), m,
				IntensityScaling.UNIT);
			// a blurred baseline has structure, so its max-pool winners differ from the image's
			float gap = run(m, x, Map.of("maxpool", "gradient", "baseline", "blur")).diagnostics().get(DeepLiftMethod.GAP)[0];
			float exact = run(m, x, Map.of("baseline", "blur")).diagnostics().get(DeepLiftMethod.GAP)[0];
			assertTrue(Math.abs(gap) > 100 * Math.abs(exact) && Math.abs(gap) > 1e-3, "gradient routing " + gap +
				", deeplift routing " + exact);
		}
	}

	/**
	 * A baseline shared by every image runs the reference network on one row: on a batch of an infected and
	 * an uninfected cell (different targets), each image's contributions still sum to its own target's
	 * f(x) - f(x0), and equal those of the image explained alone, for both rules and maxpool routings.
	 */
	@Test
	void aSharedBaselineRowGivesEachImageOfABatchItsOwnDifference() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch a = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), m,
				IntensityScaling.UNIT);
			InputBatch b = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.UNINFECTED)), m,
				IntensityScaling.UNIT);
			int size = a.imageSize();
			float[] both = new float[3 * size];
			System.arraycopy(a.data(), 0, both, 0, size);
			System.arraycopy(b.data(), 0, both, size, size);
			for (int i = 0; i < size; i++) both[2 * size + i] = 1 - a.data()[i];
			InputBatch batch = new InputBatch(both, 3, a.height(), a.width(), a.channels());
			for (Map<String, String> p : java.util.List.of(Map.of("baseline", "zeros"), Map.of("baseline", "0.25", "rule",
				"revealcancel"), Map.of("baseline", "0.5", "maxpool", "gradient")))
			{
				Explanation e = run(m, batch, p);
				assertTrue(e.targets()[0] != e.targets()[1], "the two cells should be told apart: " + java.util.Arrays
					.toString(e.targets()));
				float[] x0 = new float[size];
				java.util.Arrays.fill(x0, Float.parseFloat(p.get("baseline").equals("zeros") ? "0" : p.get("baseline")));
				float[][] atBaseline = TestData.logits(m, x0, 1), logits = logits(m, batch);
				for (int i = 0; i < 3; i++) {
					int c = e.targets()[i];
					double delta = logits[i][c] - atBaseline[0][c], sum = 0;
					for (float v : e.map(i)) sum += v;
					if (!p.containsKey("maxpool")) assertEquals(delta, sum, 1e-4 * Math.max(1, Math.abs(delta)), p + " image " + i);
					assertEquals(sum - delta, e.diagnostics().get(DeepLiftMethod.GAP)[i], 1e-4 * Math.max(1, Math.abs(delta)),
						p + " image " + i);
					float[] alone = run(m, new InputBatch(java.util.Arrays.copyOfRange(both, i * size, (i + 1) * size), 1, a
						.height(), a.width(), a.channels()), p).map(0);
					org.junit.jupiter.api.Assertions.assertArrayEquals(alone, e.map(i), 1e-5f, p + " image " + i);
				}
			}
		}
	}

	static float[][] logits(ClassifierModel m, InputBatch x) {
		return TestData.logits(m, x.data(), x.n());
	}

	/** A constant baseline of 0.5: f(x0) computed straight from the session on a grey image. */
	@Test
	void summationToDeltaHoldsForAConstantBaseline() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), m,
				IntensityScaling.UNIT);
			Explanation e = run(m, x, Map.of("baseline", "0.5"));
			float[] grey = new float[x.imageSize()];
			java.util.Arrays.fill(grey, 0.5f);
			int c = e.targets()[0];
			double delta = TestData.logits(m, x.data(), 1)[0][c] - TestData.logits(m, grey, 1)[0][c], sum = 0;
			for (float v : e.map(0)) sum += v;
			assertEquals(delta, sum, 1e-4 * Math.max(1, Math.abs(delta)));
			var refused = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> new Explainer(
				m).explain(Methods.byName("deeplift"), MethodSettings.defaults(Methods.byName("deeplift")), x, null,
					Target.TOP, ScoreKind.PROBABILITY, Reduction.SUM, 8, (d, t) -> {}));
			assertTrue(refused.getMessage().contains("not the probability"), refused.getMessage());
		}
	}
}
