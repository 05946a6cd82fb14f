package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a ReLU network, biases or not, LRP-0 equals gradient x input (Ancona et al. 2018): every rule keeps
 * R_t = t * df/dt for each tensor t. The gradient comes from TensorFlow's own gradient registry, a path
 * independent of the backward engine. The probes hold a batch norm that no linear layer precedes (after a Concatenate, a
 * ReLU, max pooling and global pooling), which must be treated as the affine layer it is; in
 * bn-cancelling a batch norm's moving mean nearly cancels a large conv bias, so a rule must divide by the
 * z the network computed, not one recomputed with the batch norm folded in.
 */
class LrpZeroGradientTimesInputTest {

	@ParameterizedTest
	@ValueSource(strings = { "backward/sequential-bias", "backward/sequential-bias-free", "backward/residual-bn",
		"backward/avgpool", "backward/stride2-valid", "backward/bn-after-concat", "backward/bn-after-relu",
		"backward/bn-after-pool", "backward/bn-cancelling", "mnist-keras", "digits-classifier" })
	void lrpZeroEqualsGradientTimesInput(String model) throws Exception {
		Path dir = Path.of("test-images/models").resolve(model);
		try (ClassifierModel m = ModelLoader.load(dir)) {
			InputBatch x = dir.resolve("reference.json").toFile().exists() ? TestData.reference(dir).input()
				: new InputBatch(TestData.randomImage(5, 2 * m.height() * m.width() * m.channels()), 2, m.height(), m
					.width(), m.channels());
			assertSame(m, x, model);
		}
	}

	@Test
	void lrpZeroEqualsGradientTimesInputOnTheBundledFrozenModel() throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			assertSame(m, new InputBatch(TestData.randomImage(6, 2 * 44 * 44 * 3), 2, 44, 44, 3), "malaria");
		}
	}

	private static void assertSame(ClassifierModel m, InputBatch x, String name) {
		Explanation lrp = RelevanceAxiomsTest.run(m, "lrp-0", x, Map.of());
		float[] gradient = TestData.tensorFlowGradient(m, x.data(), x.n(), lrp.targets());
		for (int i = 0; i < x.n(); i++) {
			// the maps are summed over channels
			float[] a = lrp.map(i), b = new float[a.length];
			int c = x.channels(), first = i * x.imageSize();
			for (int j = 0; j < x.imageSize(); j++) b[j / c] += gradient[first + j] * x.data()[first + j];
			double norm = 0, diff = 0;
			for (int j = 0; j < a.length; j++) {
				norm += (double) b[j] * b[j];
				diff += ((double) a[j] - b[j]) * (a[j] - b[j]);
			}
			assertTrue(norm > 0, name + ": a map to compare");
			// relative to the map's norm: single values divided by a z near 0 carry float32 round-off
			assertTrue(Math.sqrt(diff / norm) <= 1e-4, name + " image " + i + ": |LRP-0 - gradient x input| / |gradient x " +
				"input| = " + Math.sqrt(diff / norm));
		}
	}
}
