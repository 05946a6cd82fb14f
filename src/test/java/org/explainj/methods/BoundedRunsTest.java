package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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

/**
 * Runs bounded by the batch size: parts (path points, noisy copies) in chunks give the map of one run
 * with all parts; a parameter sweep reuses one graph; a run that runs out of memory is retried smaller.
 */
class BoundedRunsTest {

	static ClassifierModel malaria;
	static InputBatch cells;

	@BeforeAll
	static void load() {
		malaria = ModelLoader.load(TestData.MALARIA);
		InputBatch a = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), malaria,
			IntensityScaling.UNIT);
		InputBatch b = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.UNINFECTED)), malaria,
			IntensityScaling.UNIT);
		float[] both = new float[a.data().length * 2];
		System.arraycopy(a.data(), 0, both, 0, a.data().length);
		System.arraycopy(b.data(), 0, both, a.data().length, b.data().length);
		cells = new InputBatch(both, 2, a.height(), a.width(), a.channels());
	}

	@AfterAll
	static void close() {
		malaria.close();
	}

	static Explanation run(Explainer explainer, String method, Map<String, String> parameters, int batchSize) {
		AttributionMethod m = Methods.byName(method);
		return explainer.explain(m, MethodSettings.of(m, parameters), cells, null, Target.TOP, ScoreKind.LOGIT,
			Reduction.NONE, batchSize, (a, b) -> {});
	}

	static void assertClose(float[] expected, float[] actual, double relative) {
		assertEquals(expected.length, actual.length);
		double scale = 0;
		for (float v : expected) scale = Math.max(scale, Math.abs(v));
		for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], relative * scale, "at " + i);
	}

	@Test
	void integratedGradientsInChunksEqualsOneRunWithEveryPathPoint() {
		Explainer explainer = new Explainer(malaria);
		for (String rule : new String[] { "riemann", "gauss-legendre" }) {
			Map<String, String> p = Map.of("steps", "37", "rule", rule);
			// 2 images x 37 path points fit in 100: one run; batch 5 gives chunks of 5 path points (the last one 2)
			Explanation whole = run(explainer, "integrated-gradients", p, 100);
			// batch 30: both images a group (their targets differ), path points 15 + 15 + 7
			for (int batchSize : new int[] { 5, 30 }) {
				Explanation chunked = run(explainer, "integrated-gradients", p, batchSize);
				assertClose(whole.maps(), chunked.maps(), 1e-5);
				float[] wholeGap = whole.diagnostics().get(IntegratedGradientsMethod.GAP);
				float[] chunkedGap = chunked.diagnostics().get(IntegratedGradientsMethod.GAP);
				for (int i = 0; i < 2; i++) assertEquals(wholeGap[i], chunkedGap[i], 1e-4);
			}
		}
	}

	/**
	 * Runs of parts evaluate parts alone. Every network evaluation, the model's or a copy's, runs the first
	 * ReLU once (its node, fused into the convolution or not, keeps the name {@code activation_1/Relu}, a
	 * copy's under a prefix): in traced runs of integrated gradients with a blur baseline it runs twice in the
	 * first pass (the images, their baselines) and once in each run of path points (before the first pass:
	 * three times, the image and its baseline again with every chunk); for occlusion once in every run.
	 */
	@Test
	void runsOfPartsEvaluatePartsAlone() {
		Map<String, Map<String, String>> settings = Map.of("integrated-gradients", Map.of("steps", "37", "baseline",
			"blur"), "occlusion", Map.of());
		Map<String, Long> firstPass = Map.of("integrated-gradients", 2L, "occlusion", 1L);
		for (String name : settings.keySet()) {
			List<Long> perRun = new java.util.ArrayList<>();
			AttributionMethod m = Methods.byName(name);
			new Explainer(malaria).traced(stats -> perRun.add(stats.getDevStatsList().stream().flatMap(d -> d
				.getNodeStatsList().stream()).filter(node -> node.getNodeName().matches("(.*/)?activation_1/Relu")).count()))
				.explain(m, MethodSettings.of(m, settings.get(name)), cells, null, Target.TOP, ScoreKind.LOGIT,
					Reduction.NONE, 8, (a, b) -> {});
			assertTrue(perRun.size() > 2, name + ": runs " + perRun);
			assertEquals(firstPass.get(name), perRun.get(0), name + ": the first pass");
			for (long evaluations : perRun.subList(1, perRun.size())) assertEquals(1L, evaluations, name + ": runs " + perRun);
		}
	}

	/**
	 * The plans {images a group, parts a run} with the fewest runs, counted by hand: every run as full as the
	 * batch size allows, ties to fewer images.
	 */
	@Test
	void theRunPlanHasTheFewestRuns() {
		assertArrayEquals(new int[] { 8, 4 }, Explainer.plan(32, 100, 1, 32)); // 100 runs; one image a group: 128
		assertArrayEquals(new int[] { 16, 2 }, Explainer.plan(32, 50, 1, 32)); // 50 runs, as 32 x 1; 1 x 32: 64
		assertArrayEquals(new int[] { 1, 32 }, Explainer.plan(1, 50, 1, 32));
		assertArrayEquals(new int[] { 3, 10 }, Explainer.plan(3, 50, 1, 32)); // 5 runs; 1 x 32: 6
		assertArrayEquals(new int[] { 2, 2 }, Explainer.plan(2, 6, 6, 32)); // 3 runs of 24; 1 x 5: 4 runs
		assertArrayEquals(new int[] { 16, 1 }, Explainer.plan(40, 1, 2, 32)); // no parts, 2 evaluations an image
		assertArrayEquals(new int[] { 1, 1 }, Explainer.plan(2, 6, 7, 5)); // a part larger than the batch size
	}

	@Test
	void smoothGradNoiseDependsOnTheCopyNotOnTheChunks() {
		Explainer explainer = new Explainer(malaria);
		for (String variant : new String[] { "smoothgrad", "smoothgrad-squared", "vargrad" }) {
			Map<String, String> p = Map.of("samples", "13", "seed", "5", "variant", variant);
			Explanation whole = run(explainer, "smoothgrad", p, 64);
			Explanation chunked = run(explainer, "smoothgrad", p, 3);
			assertClose(whole.maps(), chunked.maps(), 1e-5);
		}
		// of=integrated-gradients reports each image's mean gap over its copies, whatever the chunks
		// (2 images x 3 copies x 51 path evaluations in one run, or one copy a run)
		Map<String, String> p = Map.of("of", "integrated-gradients", "samples", "3");
		float[] whole = run(explainer, "smoothgrad", p, 306).diagnostics().get(IntegratedGradientsMethod.GAP);
		float[] chunked = run(explainer, "smoothgrad", p, 60).diagnostics().get(IntegratedGradientsMethod.GAP);
		for (int i = 0; i < 2; i++) assertEquals(whole[i], chunked[i], 1e-4);
	}

	@Test
	void occlusionWindowsInChunksEqualOneRunWithEveryWindow() {
		Explainer explainer = new Explainer(malaria);
		// 44 x 44, patch 8, stride 4: 10 x 10 windows; batch 7 runs them 7 at a time
		Map<String, String> p = Map.of("fill", "0.5");
		assertClose(run(explainer, "occlusion", p, 1000).maps(), run(explainer, "occlusion", p, 7).maps(), 1e-5);
	}

	/**
	 * RISE's masks and Sobol's design rows are parts: in chunks of batch size 8 (RISE: 8 masks a run, the
	 * last 2; Sobol with 2 x 2 cells: one row of 6 masks a run) the maps equal one run with every mask; an
	 * allocation limit of 7 evaluations halves RISE's chunks down to fit, one of 6 fits a Sobol row (its 6
	 * masks; the image is scored in the first pass), one of 5 is too small for it and says so; a sweep over
	 * the seed (and RISE's probability) reuses one graph and changes the map.
	 */
	@Test
	void riseAndSobolMasksInChunksEqualOneRunWithEveryMask() {
		Explainer explainer = new Explainer(malaria);
		Map<String, String> rise = Map.of("masks", "50", "seed", "3"), sobol = Map.of("masks", "6", "cells", "2", "seed",
			"3");
		float[] riseWhole = run(explainer, "rise", rise, 1000).maps();
		assertClose(riseWhole, run(explainer, "rise", rise, 8).maps(), 1e-5);
		assertClose(riseWhole, run(new Explainer(malaria, 7), "rise", rise, 1000).maps(), 1e-5);
		float[] sobolWhole = run(explainer, "sobol", sobol, 1000).maps();
		assertClose(sobolWhole, run(explainer, "sobol", sobol, 8).maps(), 1e-5);
		// a design row is Sobol's smallest run: its 6 masks (the image is scored once, in the first pass)
		assertClose(sobolWhole, run(new Explainer(malaria, 6), "sobol", sobol, 8).maps(), 1e-5);
		ExplainException e = assertThrows(ExplainException.class, () -> run(new Explainer(malaria, 5), "sobol", sobol, 8));
		assertTrue(e.getMessage().contains("smallest run (one image, one part: 6 network evaluations)"), e.getMessage());
		int nodes = malaria.graphSize();
		float[] riseSeed = run(explainer, "rise", Map.of("masks", "50", "seed", "4", "probability", "0.3"), 8).maps();
		float[] sobolSeed = run(explainer, "sobol", Map.of("masks", "6", "cells", "2", "seed", "4"), 8).maps();
		assertEquals(nodes, malaria.graphSize(), "graph operations after another seed");
		assertTrue(!java.util.Arrays.equals(riseWhole, riseSeed) && !java.util.Arrays.equals(sobolWhole, sobolSeed),
			"another seed gives another map");
	}

	@Test
	void anEpsilonSweepReusesOneGraphAndEachMapEqualsAFreshGraphs() {
		Explainer explainer = new Explainer(malaria);
		float[] first = run(explainer, "lrp-epsilon", Map.of("epsilon", "0.001"), 32).maps();
		run(explainer, "lrp-epsilon", Map.of("epsilon", "0.002"), 32);
		int nodes = malaria.graphSize();
		float[] last = null;
		for (int i = 3; i <= 500; i++) last = run(explainer, "lrp-epsilon", Map.of("epsilon", Double.toString(i * 0.001)),
			32).maps();
		assertEquals(nodes, malaria.graphSize(), "graph operations after 2 and after 500 epsilons");
		boolean differ = false;
		for (int i = 0; i < first.length; i++) differ |= Math.abs(first[i] - last[i]) > 1e-4 * Math.abs(first[i]) + 1e-7;
		assertTrue(differ, "epsilon 0.001 and 0.5 give the same map");
		try (ClassifierModel fresh = ModelLoader.load(TestData.MALARIA)) {
			float[] expected = run(new Explainer(fresh), "lrp-epsilon", Map.of("epsilon", "0.5"), 32).maps();
			for (int i = 0; i < expected.length; i++) assertEquals(expected[i], last[i], 1e-6, "at " + i);
		}
	}

	/**
	 * SmoothGrad over 25 seeds times 2 noise levels and integrated gradients over 50 step counts: the graph
	 * holds as many operations after the sweep as after its first two values, each value changes the map, and
	 * the last map equals a freshly loaded model's run with that value (built for it alone).
	 */
	@Test
	void seedNoiseAndStepSweepsReuseOneGraphAndEachMapEqualsAFreshGraphs() {
		Explainer explainer = new Explainer(malaria);
		Map<String, String> firstNoisy = Map.of("samples", "4", "seed", "0", "noise", "0.1");
		float[] firstSmooth = run(explainer, "smoothgrad", firstNoisy, 32).maps();
		float[] firstPath = run(explainer, "integrated-gradients", Map.of("steps", "5"), 32).maps();
		run(explainer, "smoothgrad", Map.of("samples", "4", "seed", "1", "noise", "0.2"), 32);
		run(explainer, "integrated-gradients", Map.of("steps", "6"), 32);
		int nodes = malaria.graphSize();
		Map<String, String> lastNoisy = null;
		float[] lastSmooth = null, lastPath = null;
		for (int seed = 0; seed < 25; seed++) for (String noise : new String[] { "0.1", "0.3" }) {
			lastNoisy = Map.of("samples", "4", "seed", Integer.toString(seed), "noise", noise);
			lastSmooth = run(explainer, "smoothgrad", lastNoisy, 32).maps();
		}
		for (int steps = 5; steps < 55; steps++) lastPath = run(explainer, "integrated-gradients", Map.of("steps", Integer
			.toString(steps)), 32).maps();
		assertEquals(nodes, malaria.graphSize(), "graph operations after 2 and after 50 values of each sweep");
		assertTrue(differ(firstSmooth, lastSmooth) && differ(firstPath, lastPath), "another value gives another map");
		try (ClassifierModel fresh = ModelLoader.load(TestData.MALARIA)) {
			Explainer alone = new Explainer(fresh);
			assertClose(run(alone, "smoothgrad", lastNoisy, 32).maps(), lastSmooth, 1e-6);
			assertClose(run(alone, "integrated-gradients", Map.of("steps", "54"), 32).maps(), lastPath, 1e-6);
		}
	}

	private static boolean differ(float[] a, float[] b) {
		for (int i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-4 * Math.abs(a[i]) + 1e-7) return true;
		return false;
	}

	@Test
	void aRunThatRunsOutOfMemoryIsRetriedWithHalfTheChunk() {
		Map<String, String> p = Map.of("steps", "40");
		Explanation unlimited = run(new Explainer(malaria), "integrated-gradients", p, 100);
		// a machine where more than 7 evaluations in one run fail: 2 images a run -> 1 image with 41, 20, 10, 5 points
		Explanation retried = run(new Explainer(malaria, 7), "integrated-gradients", p, 100);
		assertClose(unlimited.maps(), retried.maps(), 1e-5);
		// two whole images of gradient do not fit in 1: one image a run
		float[] gradients = run(new Explainer(malaria), "gradient", Map.of(), 64).maps();
		assertClose(gradients, run(new Explainer(malaria, 1), "gradient", Map.of(), 64).maps(), 1e-6);
		ExplainException e = assertThrows(ExplainException.class, () -> run(new Explainer(malaria, 0), "gradient", Map
			.of(), 64));
		assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
	}
}
