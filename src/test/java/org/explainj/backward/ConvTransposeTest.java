package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A convolution's transpose as the rules run it (a forward convolution with the kernel turned by 180 degrees
 * where that is exact, TensorFlow's Conv2DBackpropInput otherwise) against Conv2DBackpropInput itself, on
 * kernels of odd and even, square and oblong sizes, with and without stride.
 */
class ConvTransposeTest {

	@ParameterizedTest
	@CsvSource({ "3,3,1,SAME", "1,1,1,SAME", "3,5,1,SAME", "5,5,1,SAME", "2,2,1,SAME", "3,3,2,SAME", "3,3,1,VALID" })
	void theTransposeEqualsConv2DBackpropInput(int kh, int kw, int stride, String padding) {
		int n = 2, h = 9, w = 7, in = 3, out = 5;
		Random r = new Random(kh * 31 + kw * 7 + stride);
		float[] kernel = new float[kh * kw * in * out];
		for (int i = 0; i < kernel.length; i++) kernel[i] = (float) r.nextGaussian();
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, in)));
			var weight = tf.constant(Shape.of(kh, kw, in, out), DataBuffers.of(kernel, true, false));
			List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
			LinearLayer layer = new LinearLayer(LinearLayer.Kind.CONV, x.asOutput(), weight.asOutput(), null, strides,
				padding, List.of(1L, 1L, 1L, 1L), List.of(), false);
			Operand<TFloat32> z = layer.forward(tf, x, weight);
			var signal = tf.placeholder(TFloat32.class);
			Operand<TFloat32> ours = layer.transpose(tf, signal, weight);
			Operand<TFloat32> tensorflow = tf.nn.conv2dBackpropInput(tf.shape(x), weight, signal, strides, padding);
			float[] image = new float[n * h * w * in];
			for (int i = 0; i < image.length; i++) image[i] = (float) r.nextGaussian();
			try (TFloat32 tx = TFloat32.tensorOf(Shape.of(n, h, w, in), DataBuffers.of(image, true, false));
				Result zr = s.runner().feed(x, tx).fetch(z).run())
			{
				Shape zs = zr.get(0).shape();
				float[] seed = new float[(int) zs.size()];
				for (int i = 0; i < seed.length; i++) seed[i] = (float) r.nextGaussian();
				try (TFloat32 ts = TFloat32.tensorOf(zs, DataBuffers.of(seed, true, false));
					Result t = s.runner().feed(x, tx).feed(signal, ts).fetch(ours).fetch(tensorflow).run())
				{
					float[] a = new float[image.length], b = new float[image.length];
					((TFloat32) t.get(0)).asRawTensor().data().asFloats().read(a);
					((TFloat32) t.get(1)).asRawTensor().data().asFloats().read(b);
					assertArrayEquals(b, a, 1e-4f, kh + "x" + kw + " stride " + stride + " " + padding);
				}
			}
		}
	}
}
