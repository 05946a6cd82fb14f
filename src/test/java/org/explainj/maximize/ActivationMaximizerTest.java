package org.explainj.maximize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.methods.Explainer;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.junit.jupiter.api.Test;

/** Activation maximisation in input space (docs/METHODS.md 1.1) on the digits fixture and the malaria model. */
class ActivationMaximizerTest {

	static final Path DIGITS = Path.of("test-images/models/digits-classifier");
	static final String ALL_DIGITS = "0,1,2,3,4,5,6,7,8,9";

	static ClassifierModel digits() {
		return ModelCache.shared().acquire(DIGITS, false).model();
	}

	/** The docs/METHODS.md check: objective rises, target beats its start and every other class. */
	static void assertPrototypes(Prototypes p, String what) {
		for (int i = 0; i < p.size(); i++) {
			String row = what + " " + p.label(i) + String.format(" (objective first tenth %.3f, last tenth %.3f)", p
				.firstTenth(i), p.lastTenth(i));
			System.out.println(row);
			assertTrue(p.lastTenth(i) > p.firstTenth(i), "objective rises: " + row);
			assertTrue(p.finalProbabilities()[i] > p.startProbabilities()[i], "beats the start: " + row);
			assertTrue(p.finalScores()[i] > p.startScores()[i], row);
			assertEquals(p.classes()[i], p.predicted(i), "the target's logit is the largest: " + row + " logits " + Arrays
				.toString(p.finalLogits()[i]));
		}
	}

	@Test
	void digitPrototypesInInputSpace() {
		ClassifierModel model = digits();
		long t0 = System.nanoTime();
		Prototypes p = ActivationMaximizer.maximize(model, ALL_DIGITS, MaximizeOptions.defaults().withSteps(150));
		System.out.printf("10 digit prototypes, 150 steps: %.2f s%n", (System.nanoTime() - t0) / 1e9);
		assertEquals(10, p.size());
		assertNull(p.codes());
		assertPrototypes(p, "input space");
		for (int i = 0; i < 10; i++) {
			assertEquals(28 * 28, p.images()[i].length);
			assertEquals(i, p.classes()[i]);
			assertTrue(p.finalProbabilities()[i] > 0.9, p.label(i));
			for (float v : p.images()[i]) assertTrue(v >= 0 && v <= 1, "clipped to the input range: " + v);
			assertEquals(150, p.curves()[i].length);
		}
		// the rows are independent: one target alone gives its row of the batch
		Prototypes three = ActivationMaximizer.maximize(model, "3", MaximizeOptions.defaults().withSteps(150));
		assertArrayEquals(p.images()[3], three.images()[0], 1e-4f);
	}

	@Test
	void malariaPrototypesForBothClasses() {
		ClassifierModel model = ModelCache.shared().acquire(TestData.MALARIA, false).model();
		// the grey start is already 99% uninfected, and any pull to xbar (lambda ||x - xbar||^2 over 44x44x3
		// pixels) costs more than the last percent of p: here the objective is log p alone (lambda 0)
		Prototypes p = ActivationMaximizer.maximize(model, "infected,uninfected", MaximizeOptions.defaults().withSteps(
			120).withLambda(0));
		assertEquals(2, p.size());
		assertEquals(model.height() * model.width() * model.channels(), p.images()[0].length);
		assertPrototypes(p, "malaria");
	}

	@Test
	void sameSeedSamePrototypeOtherSeedAnother() {
		ClassifierModel model = digits();
		MaximizeOptions o = MaximizeOptions.defaults().withSteps(60).withJitter(2).withSeed(3);
		Prototypes a = ActivationMaximizer.maximize(model, "2,5", o);
		Prototypes b = ActivationMaximizer.maximize(model, "2,5", o);
		Prototypes c = ActivationMaximizer.maximize(model, "2,5", o.withSeed(4));
		for (int i = 0; i < 2; i++) {
			assertArrayEquals(a.images()[i], b.images()[i], "bit for bit");
			assertArrayEquals(a.curves()[i], b.curves()[i]);
			assertTrue(maxDiff(a.images()[i], c.images()[i]) > 0.01, "another seed, another prototype");
		}
	}

	@Test
	void regularisersChangeTheResult() {
		ClassifierModel model = digits();
		MaximizeOptions plain = MaximizeOptions.defaults().withSteps(60);
		float[] base = ActivationMaximizer.maximize(model, "8", plain).images()[0];
		Prototypes jitter = ActivationMaximizer.maximize(model, "8", plain.withJitter(2));
		Prototypes tv = ActivationMaximizer.maximize(model, "8", plain.withTv(0.05f));
		Prototypes blur = ActivationMaximizer.maximize(model, "8", plain.withBlurEvery(4));
		assertTrue(maxDiff(base, jitter.images()[0]) > 0.01);
		assertTrue(maxDiff(base, tv.images()[0]) > 0.01);
		assertTrue(maxDiff(base, blur.images()[0]) > 0.01);
		// total variation and blur both make the prototype smoother
		double tvBase = totalVariation(base, 28, 28);
		System.out.printf("total variation: plain %.2f, tv 0.05 %.2f, blur every 4 %.2f%n", tvBase, totalVariation(tv
			.images()[0], 28, 28), totalVariation(blur.images()[0], 28, 28));
		assertTrue(totalVariation(tv.images()[0], 28, 28) < tvBase);
		assertTrue(totalVariation(blur.images()[0], 28, 28) < tvBase);
	}

	@Test
	void internalUnitsAndLambda() {
		ClassifierModel model = digits();
		Prototypes p = ActivationMaximizer.maximize(model, "conv1:5,conv2:3", MaximizeOptions.defaults().withSteps(80)
			.withLambda(0));
		// lambda 0: a mean activation is a small number, any pull to xbar outweighs it
		for (int i = 0; i < 2; i++) {
			System.out.println("unit " + p.label(i));
			assertEquals(-1, p.classes()[i]);
			assertTrue(p.finalScores()[i] > p.startScores()[i] + 0.1, p.label(i));
			assertTrue(p.lastTenth(i) > p.firstTenth(i));
		}
		// a strong pull to xbar = 0 keeps the prototype darker than a weak one
		float[] weak = ActivationMaximizer.maximize(model, "1", MaximizeOptions.defaults().withSteps(80)).images()[0];
		float[] strong = ActivationMaximizer.maximize(model, "1", MaximizeOptions.defaults().withSteps(80).withLambda(1f))
			.images()[0];
		assertTrue(sumSquares(strong) < 0.5 * sumSquares(weak), sumSquares(strong) + " vs " + sumSquares(weak));
	}

	@Test
	void badInputGetsClearMessages() {
		ClassifierModel model = digits();
		MaximizeOptions o = MaximizeOptions.defaults().withSteps(5);
		ExplainException e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "3,eleven", o));
		assertTrue(e.getMessage().contains("Unknown target 'eleven'") && e.getMessage().contains("class index 0..9"), e
			.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "12", o));
		assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "nolayer:2", o));
		assertTrue(e.getMessage().contains("no layer 'nolayer'"), e.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "conv2:99", o));
		assertTrue(e.getMessage().contains("no channel 99"), e.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "top", o));
		assertTrue(e.getMessage().contains("Name the class"), e.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "3", o.withSteps(0)));
		assertTrue(e.getMessage().startsWith("Steps 0 is not positive."), e.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "3", o.withReference(
			new float[10])));
		assertTrue(e.getMessage().contains("has 10 values"), e.getMessage());
	}

	@Test
	void cancellingStopsWithoutResult() {
		int[] calls = { 0 };
		assertThrows(Explainer.CancellationException.class, () -> ActivationMaximizer.maximize(digits(), "4",
			MaximizeOptions.defaults().withSteps(100), (done, total) -> {
				if (++calls[0] == 10) throw new Explainer.CancellationException();
			}));
		assertEquals(10, calls[0]);
		assertFalse(ActivationMaximizer.maximize(digits(), "4", MaximizeOptions.defaults().withSteps(3)).images()[0]
			.length == 0, "the model still works after a cancelled run");
	}

	static double maxDiff(float[] a, float[] b) {
		double d = 0;
		for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
		return d;
	}

	static double sumSquares(float[] a) {
		double s = 0;
		for (float v : a) s += v * v;
		return s;
	}

	static double totalVariation(float[] a, int h, int w) {
		double s = 0;
		for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
			if (y + 1 < h) s += Math.abs(a[(y + 1) * w + x] - a[y * w + x]);
			if (x + 1 < w) s += Math.abs(a[y * w + x + 1] - a[y * w + x]);
		}
		return s;
	}
}
