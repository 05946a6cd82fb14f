package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.explainj.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class NetworkCopyTest {

	private record Built(Placeholder<TFloat32> x, Output<TFloat32> copiedLogits, Output<TFloat32> copiedGradient,
		Output<TFloat32> originalGradient) {}

	/** The copy, fed 2x through its own placeholder, equals the original network fed 2x. */
	@ParameterizedTest
	@ValueSource(strings = { "malaria", "mnist" })
	void aCopyOnAnotherTensorComputesTheSameLogitsAndGradients(String which) {
		try (ClassifierModel m = ModelLoader.load(which.equals("malaria") ? TestData.MALARIA : TestData.MNIST)) {
			Built b = m.ops("copy", tf -> {
				Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
				Output<TFloat32> logits = NetworkCopy.apply(m, tf.math.mul(x, tf.constant(2f))).of(m.logits());
				Output<TFloat32> g = m.graph().addGradients(tf.reduceSum(logits, tf.constant(new int[] { 0, 1 })).asOutput(),
					new Output<?>[] { x.asOutput() })[0].expect(TFloat32.class);
				Output<TFloat32> g0 = m.graph().addGradients(tf.reduceSum(m.logits(), tf.constant(new int[] { 0, 1 }))
					.asOutput(), new Output<?>[] { m.input() })[0].expect(TFloat32.class);
				return new Built(x, logits, g, g0);
			});
			int size = m.height() * m.width() * m.channels();
			float[] x = TestData.randomImage(9, 2 * size);
			float[] x2 = x.clone();
			for (int i = 0; i < x2.length; i++) x2[i] *= 2;
			Shape shape = Shape.of(2, m.height(), m.width(), m.channels());
			try (TFloat32 tx = TFloat32.tensorOf(shape, DataBuffers.of(x, true, false));
				TFloat32 tx2 = TFloat32.tensorOf(shape, DataBuffers.of(x2, true, false));
				Result copy = m.session().runner().feed(b.x(), tx).fetch(b.copiedLogits()).fetch(b.copiedGradient()).run();
				Result original = m.session().runner().feed(m.input(), tx2).fetch(m.logits()).fetch(b.originalGradient())
					.run())
			{
				float[] lc = read(copy.get(0)), lo = read(original.get(0));
				assertEquals(2 * m.numClasses(), lc.length);
				assertArrayEquals(lo, lc, 1e-4f);
				float[] gc = read(copy.get(1)), go = read(original.get(1));
				for (int i = 0; i < go.length; i++) assertEquals(2 * go[i], gc[i], 1e-4f * (1 + Math.abs(go[i])), "chain rule");
			}
		}
	}

	private static float[] read(org.tensorflow.Tensor t) {
		float[] out = new float[(int) t.shape().size()];
		((TFloat32) t).asRawTensor().data().asFloats().read(out);
		return out;
	}
}
