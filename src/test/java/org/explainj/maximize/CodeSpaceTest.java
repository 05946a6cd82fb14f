package org.explainj.maximize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.GeneratorModel;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Activation maximisation in a generator's code space (docs/METHODS.md 1.3) with the digits fixtures. */
class CodeSpaceTest {

	static final Path GENERATOR = Path.of("test-images/models/digits-generator");

	@TempDir
	Path tmp;

	@Test
	void generatorIsFrozenIntoAConstantGraph() {
		GeneratorModel g = GeneratorModel.load(GENERATOR, false);
		assertEquals(16, g.codeSize());
		assertArrayEquals(new long[] { -1, 28, 28, 1 }, g.outputShape().asArray());
		assertTrue(g.graphDef().getNodeList().stream().noneMatch(n -> n.getOp().contains("Variable") || n.getOp().equals(
			"VarHandleOp")), "no variables left");
		assertTrue(g.graphDef().getNodeList().stream().filter(n -> n.getOp().equals("Const")).count() >= 8,
			"the 4 layers' kernels and biases are constants");
	}

	@Test
	void digitPrototypesInCodeSpace() {
		ClassifierModel model = ActivationMaximizerTest.digits();
		MaximizeOptions o = MaximizeOptions.defaults().withSteps(150).withGenerator(GENERATOR);
		long t0 = System.nanoTime();
		Prototypes p = ActivationMaximizer.maximize(model, ActivationMaximizerTest.ALL_DIGITS, o);
		System.out.printf("10 code-space prototypes, 150 steps: %.2f s%n", (System.nanoTime() - t0) / 1e9);
		ActivationMaximizerTest.assertPrototypes(p, "code space");
		for (int i = 0; i < 10; i++) {
			assertEquals(16, p.codes()[i].length);
			assertEquals(28 * 28, p.images()[i].length);
			assertTrue(p.finalProbabilities()[i] > 0.8, p.label(i));
			// g ends in a sigmoid: the image stays in 0..1 without clipping
			for (float v : p.images()[i]) assertTrue(v >= 0 && v <= 1);
		}
		// the same seed gives the same prototype; another seed starts from another code
		Prototypes again = ActivationMaximizer.maximize(model, "0,1,2,3,4,5,6,7,8,9", o);
		Prototypes other = ActivationMaximizer.maximize(model, "0,1,2,3,4,5,6,7,8,9", o.withSeed(9));
		for (int i = 0; i < 10; i++) {
			assertArrayEquals(p.codes()[i], again.codes()[i]);
			assertArrayEquals(p.images()[i], again.images()[i]);
			assertTrue(ActivationMaximizerTest.maxDiff(p.codes()[i], other.codes()[i]) > 0.05);
		}
		// a strong pull to zbar = 0 keeps the code short
		Prototypes tight = ActivationMaximizer.maximize(model, "5", o.withLambda(1f));
		assertTrue(ActivationMaximizerTest.sumSquares(tight.codes()[0]) < 0.5 * ActivationMaximizerTest.sumSquares(p
			.codes()[5]));
		// jitter and total variation act on g(z)
		Prototypes jitter = ActivationMaximizer.maximize(model, "5", o.withJitter(2));
		assertTrue(ActivationMaximizerTest.maxDiff(p.images()[5], jitter.images()[0]) > 0.01);
		ExplainException e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(model, "5", o
			.withBlurEvery(4)));
		assertTrue(e.getMessage().contains("Set blur to 0"), e.getMessage());
	}

	@Test
	void generatorThatDoesNotFitTheClassifierIsRefused() throws Exception {
		Path small = tf1Generator(tmp.resolve("small-generator"), 14);
		ExplainException e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(
			ActivationMaximizerTest.digits(), "3", MaximizeOptions.defaults().withSteps(5).withGenerator(small)));
		assertTrue(e.getMessage().contains("makes images of shape [-1, 14, 14, 1] but the classifier") && e.getMessage()
			.contains("(28x28x1)"), e.getMessage());
		e = assertThrows(ExplainException.class, () -> ActivationMaximizer.maximize(ActivationMaximizerTest.digits(), "3",
			MaximizeOptions.defaults().withGenerator(tmp.resolve("missing"))));
		assertTrue(e.getMessage().startsWith("Generator not found"), e.getMessage());
	}

	@Test
	void tf1GeneratorWithVariablesWorks() throws Exception {
		// a TF1 graph (VariableV2, no functions) of the right size: frozen from the restored session
		Path g = tf1Generator(tmp.resolve("tf1-generator"), 28);
		Prototypes p = ActivationMaximizer.maximize(ActivationMaximizerTest.digits(), "7", MaximizeOptions.defaults()
			.withSteps(100).withGenerator(g));
		System.out.println("TF1 generator " + p.label(0));
		assertTrue(p.lastTenth(0) > p.firstTenth(0));
		assertTrue(p.finalProbabilities()[0] > p.startProbabilities()[0]);
	}

	/** z [N, 8] -> dense -> sigmoid -> [N, size, size, 1], seeded weights, as a TF1 SavedModel. */
	static Path tf1Generator(Path dir, int size) throws Exception {
		Random r = new Random(11);
		float[][] w = new float[8][size * size];
		for (float[] row : w) for (int i = 0; i < row.length; i++) row[i] = (float) r.nextGaussian();
		try (Graph graph = new Graph(); Session s = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> z = tf.withName("z").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8)));
			Operand<TFloat32> kernel = tf.withName("kernel").variable(tf.constant(StdArrays.ndCopyOf(w)));
			Operand<TFloat32> x = tf.withName("image").reshape(tf.math.sigmoid(tf.linalg.matMul(z, kernel)), tf.constant(
				new int[] { -1, size, size, 1 }));
			s.initialize();
			SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder().key(
				"serving_default").input("z", z).output("image", x).build()).export();
		}
		return dir;
	}
}
