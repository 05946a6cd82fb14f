package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

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
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Integrated gradients with adaptive steps on a saturated model whose logits reach +-100. */
class AdaptiveStepsTest {

	static final int SIDE = 16;

	@TempDir
	Path tmp;

	/**
	 * logit_1 = -logit_0 = 100 tanh(300 (mean(x) - 0.37)): along the path from zeros to a grey image the
	 * score jumps by 200 within about 1/300 of the path, where a coarse Riemann sum barely samples it.
	 */
	static Path saturatedModel(Path dir) throws Exception {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIDE,
				SIDE, 1)));
			float[][] w = new float[SIDE * SIDE][1];
			for (float[] row : w) row[0] = 1f / (SIDE * SIDE);
			Operand<TFloat32> mean = tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] { -1, SIDE * SIDE })), tf.constant(
				w));
			Operand<TFloat32> t = tf.math.mul(tf.constant(100f), tf.math.tanh(tf.math.mul(tf.constant(300f), tf.math.sub(
				mean, tf.constant(0.37f)))));
			Operand<TFloat32> logits = tf.linalg.matMul(t, tf.constant(new float[][] { { -1, 1 } }));
			Operand<TFloat32> probs = tf.withName("probabilities").nn.softmax(logits);
			SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder().key(
				"serving_default").input("image", x).output("probabilities", probs).build()).export();
		}
		return dir;
	}

	static Explanation ig(ClassifierModel m, InputBatch x, Map<String, String> parameters) {
		AttributionMethod method = Methods.byName("integrated-gradients");
		return new Explainer(m).explain(method, MethodSettings.of(method, parameters), x, null, Target.TOP,
			ScoreKind.LOGIT, Reduction.NONE, 64, (a, b) -> {});
	}

	static double sum(float[] v) {
		double s = 0;
		for (float f : v) s += f;
		return s;
	}

	@Test
	void adaptiveStepsMeetTheGapWhere32StepsDoNot() throws Exception {
		float[] data = new float[2 * SIDE * SIDE];
		Arrays.fill(data, 0, SIDE * SIDE, 1f);
		Arrays.fill(data, SIDE * SIDE, 2 * SIDE * SIDE, 0.5f);
		InputBatch x = new InputBatch(data, 2, SIDE, SIDE, 1);
		try (ClassifierModel m = ModelLoader.load(saturatedModel(tmp.resolve("saturated")))) {
			float[][] logits = TestData.logits(m, data, 2), zero = TestData.logits(m, new float[SIDE * SIDE], 1);
			Explanation fixed = ig(m, x, Map.of("steps", "32"));
			assertFalse(fixed.diagnostics().containsKey(IntegratedGradientsMethod.STEPS), "no steps column without a gap target");
			Explanation adaptive = ig(m, x, Map.of("steps", "32", "gap", "0.01", "max-steps", "4096"));
			for (int i = 0; i < 2; i++) {
				int c = adaptive.targets()[i];
				double difference = logits[i][c] - zero[0][c];
				assertTrue(Math.abs(difference) > 150, "the fixture is saturated: " + difference);
				float coarse = fixed.diagnostics().get(IntegratedGradientsMethod.GAP)[i];
				float gap = adaptive.diagnostics().get(IntegratedGradientsMethod.GAP)[i];
				int steps = (int) adaptive.diagnostics().get(IntegratedGradientsMethod.STEPS)[i];
				System.out.printf(java.util.Locale.ROOT, "saturated image %d: f(x)-f(x0) %.2f, gap with 32 steps %.3f, " +
					"adaptive gap %.4f after %d steps%n", i, difference, coarse, gap, steps);
				assertTrue(Math.abs(coarse) > 0.01 * Math.abs(difference), "32 steps miss the target: " + coarse);
				assertTrue(Math.abs(gap) <= 0.01 * Math.abs(difference), "adaptive gap " + gap);
				assertTrue(steps > 32 && steps <= 4096 && Integer.bitCount(steps / 32) == 1, "steps " + steps);
				// the reported gap is the map's own sum against logits computed here
				assertEquals(sum(adaptive.map(i)) - difference, gap, 1e-3 * Math.abs(difference));
				// and the map is plain integrated gradients with the reported steps, image by image
				float[] same = ig(m, new InputBatch(Arrays.copyOfRange(data, i * SIDE * SIDE, (i + 1) * SIDE * SIDE), 1, SIDE,
					SIDE, 1), Map.of("steps", "" + steps)).map(0);
				float[] map = adaptive.map(i);
				for (int j = 0; j < map.length; j++) assertEquals(same[j], map[j], 1e-4 * Math.abs(difference) / map.length);
			}
		}
	}

	@Test
	void aNegativeGapOrTooFewMaxStepsGetOneSentence() throws Exception {
		float[] data = new float[SIDE * SIDE];
		try (ClassifierModel m = ModelLoader.load(saturatedModel(tmp.resolve("saturated")))) {
			InputBatch x = new InputBatch(data, 1, SIDE, SIDE, 1);
			var e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> ig(m, x, Map.of(
				"gap", "-0.1")));
			assertTrue(e.getMessage().startsWith("integrated-gradients: 'gap' must be at least 0"), e.getMessage());
			e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> ig(m, x, Map.of(
				"gap", "0.01", "steps", "64", "max-steps", "32")));
			assertTrue(e.getMessage().startsWith("integrated-gradients: max-steps (32) is below steps (64)"), e.getMessage());
		}
	}

	@Test
	void theDoublingStopsAtMaxSteps() throws Exception {
		float[] data = new float[SIDE * SIDE];
		Arrays.fill(data, 1f);
		try (ClassifierModel m = ModelLoader.load(saturatedModel(tmp.resolve("saturated")))) {
			Explanation e = ig(m, new InputBatch(data, 1, SIDE, SIDE, 1), Map.of("steps", "32", "gap", "0.000001",
				"max-steps", "100"));
			assertEquals(64, e.diagnostics().get(IntegratedGradientsMethod.STEPS)[0]);
		}
	}
}
