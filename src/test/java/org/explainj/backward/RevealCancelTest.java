package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
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
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** DeepLIFT's RevealCancel rule: summation-to-delta on every bundled model and the paper's min example. */
class RevealCancelTest {

	@TempDir
	Path tmp;

	static Explanation run(ClassifierModel m, InputBatch x, Target target, String rule) {
		AttributionMethod a = Methods.byName("deeplift");
		return new Explainer(m).explain(a, MethodSettings.of(a, Map.of("rule", rule)), x, null, target, ScoreKind.LOGIT,
			Reduction.SUM, 8, (d, t) -> {});
	}

	@Test
	void contributionsSumToTheDifferenceOfLogitsOnEveryBundledModel() throws Exception {
		List<Path> models = List.of(TestData.MALARIA, TestData.MNIST, Path.of("test-images/models/digits-classifier"), Path
			.of("test-images/models/quality/region-model"), KerasFixturesTest.DIR.resolve("avgpool"), KerasFixturesTest.DIR
				.resolve("stride2-valid"), KerasFixturesTest.DIR.resolve("residual-bn"), KerasFixturesTest.DIR.resolve(
					"sequential-bias"), KerasFixturesTest.DIR.resolve("sequential-bias-free"));
		for (Path p : models) {
			try (ClassifierModel m = ModelLoader.load(p)) {
				InputBatch x;
				if (p == TestData.MALARIA) x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(
					TestData.PARASITIZED)), m, IntensityScaling.UNIT);
				else if (p == TestData.MNIST || p.endsWith("digits-classifier")) x = ImageGeometry.shared().toModelInput(
					ImageFrames.of(TestData.open(TestData.DIGIT)), m, IntensityScaling.UNIT);
				else x = TestData.reference(p).input();
				Explanation e = run(m, x, Target.TOP, "revealcancel");
				Explanation rescale = run(m, x, Target.TOP, "rescale");
				float[][] logits = DeepLiftTest.logits(m, x);
				float[][] atBaseline = DeepLiftTest.logits(m, new InputBatch(new float[x.data().length], x.n(), x.height(), x
					.width(), x.channels()));
				for (int i = 0; i < x.n(); i++) {
					int c = e.targets()[i];
					double delta = logits[i][c] - atBaseline[i][c], sum = 0, difference = 0;
					float[] map = e.map(i), other = rescale.map(i);
					for (int j = 0; j < map.length; j++) {
						sum += map[j];
						difference += Math.abs(map[j] - other[j]);
					}
					System.out.printf(Locale.ROOT, "revealcancel %s image %d: sum %.6f, f(x) - f(x0) %.6f, relative gap %.2e, " +
						"L1 distance to rescale %.4f%n", p.getFileName(), i, sum, delta, Math.abs(sum - delta) / Math.abs(delta),
						difference);
					assertEquals(delta, sum, 1e-5 * Math.abs(delta), p + " image " + i);
					assertEquals(sum - delta, e.diagnostics().get(DeepLiftMethod.GAP)[i], 1e-5 * Math.abs(delta));
				}
			}
		}
	}

	/**
	 * Shrikumar et al. (2017), section 3.5.3 and figure 3: min(i1, i2) = i1 - ReLU(i1 - i2) with reference
	 * (0, 0). At i1 = 3 > i2 = 1 rescale gives everything to i2 (C = 0 and 1: the ReLU's multiplier 1 cancels
	 * i1's direct path); RevealCancel splits the ReLU's input i1 - i2 into dh+ = 3 and dh- = -1, dy+ = 3 - 1/2,
	 * dy- = -1/2, so i1 gets 3 - 3 (2.5 / 3) = 0.5 and i2 gets 0.5: min(i1, i2) shared equally.
	 */
	@Test
	void onThePapersMinExampleRescaleAndRevealCancelDifferAsThePaperSays() throws Exception {
		try (ClassifierModel m = ModelLoader.load(minModel(tmp.resolve("min")))) {
			InputBatch x = new InputBatch(new float[] { 3, 1 }, 1, 1, 2, 1);
			Target min = new Target("0");
			float[] rescale = run(m, x, min, "rescale").map(0), revealCancel = run(m, x, min, "revealcancel").map(0);
			assertEquals(0, rescale[0], 1e-6);
			assertEquals(1, rescale[1], 1e-6);
			assertEquals(0.5, revealCancel[0], 1e-6);
			assertEquals(0.5, revealCancel[1], 1e-6);
			// and the other way round, i1 < i2: RevealCancel stays symmetric, 0.5 min each
			float[] swapped = run(m, new InputBatch(new float[] { 1, 3 }, 1, 1, 2, 1), min, "revealcancel").map(0);
			assertEquals(0.5, swapped[0], 1e-6);
			assertEquals(0.5, swapped[1], 1e-6);
		}
	}

	/** Input 1x2x1 (i1, i2); logits (min, -min) with min = i1 - ReLU(i1 - i2). */
	static Path minModel(Path dir) throws Exception {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1, 2,
				1)));
			Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] { -1, 2 }));
			Operand<TFloat32> first = tf.linalg.matMul(flat, tf.constant(new float[][] { { 1 }, { 0 } }));
			Operand<TFloat32> relu = tf.nn.relu(tf.linalg.matMul(flat, tf.constant(new float[][] { { 1 }, { -1 } })));
			Operand<TFloat32> logits = tf.linalg.matMul(tf.concat(List.of(first, relu), tf.constant(1)), tf.constant(
				new float[][] { { 1, -1 }, { -1, 1 } }));
			Operand<TFloat32> probs = tf.withName("probabilities").nn.softmax(logits);
			SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder().key(
				"serving_default").input("image", x).output("probabilities", probs).build()).export();
		}
		return dir;
	}
}
