package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

import com.google.protobuf.ByteString;

import ij.ImagePlus;

/** Models replaced on disk while in use: new content is loaded, models in use stay open until released. */
class ModelCacheTest {

	@TempDir
	Path tmp;

	/**
	 * The malaria graph with its first convolution kernel scaled by 1.5: the same size in bytes, other
	 * predictions.
	 */
	static byte[] perturbedWeights(byte[] frozen) throws Exception {
		GraphDef g = GraphDef.parseFrom(frozen);
		GraphDef.Builder b = g.toBuilder();
		for (int i = 0; i < g.getNodeCount(); i++) {
			NodeDef n = g.getNode(i);
			if (!n.getOp().equals("Const") || n.getAttrOrThrow("value").getTensor().getTensorShape().getDimCount() != 4) continue;
			ByteBuffer data = ByteBuffer.wrap(n.getAttrOrThrow("value").getTensor().getTensorContent().toByteArray()).order(
				ByteOrder.LITTLE_ENDIAN);
			for (int k = 0; k < data.capacity(); k += 4) data.putFloat(k, data.getFloat(k) * 1.5f);
			var value = n.getAttrOrThrow("value").toBuilder();
			value.getTensorBuilder().setTensorContent(ByteString.copyFrom(data.array()));
			b.setNode(i, n.toBuilder().putAttr("value", value.build()));
			return b.build().toByteArray();
		}
		throw new IllegalStateException("no 4-D constant");
	}

	private static float[] logits(ClassifierModel m) {
		float[] gray = new float[m.height() * m.width() * m.channels()];
		java.util.Arrays.fill(gray, 0.5f);
		try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, m.height(), m.width(), m.channels()), DataBuffers.of(gray));
			Tensor out = m.session().runner().feed(m.input(), x).fetch(m.logits()).run().get(0))
		{
			TFloat32 l = (TFloat32) out;
			float[] v = new float[m.numClasses()];
			for (int c = 0; c < v.length; c++) v[c] = l.getFloat(0, c);
			return v;
		}
	}

	@Test
	void replacementWithTheOldTimeIsLoadedAndTheOldModelClosesWhenReleased() throws Exception {
		Path pb = Files.copy(TestData.MALARIA, tmp.resolve("model.pb"));
		FileTime time = Files.getLastModifiedTime(pb);
		ModelCache cache = new ModelCache(4);
		try (ModelCache.Lease old = cache.acquire(pb, false)) {
			float[] before = logits(old.model());
			Files.write(pb, perturbedWeights(Files.readAllBytes(TestData.MALARIA)));
			Files.setLastModifiedTime(pb, time);
			try (ModelCache.Lease replaced = cache.acquire(pb, false)) {
				assertNotSame(old.model(), replaced.model(), "cp -p replacement detected");
				assertNotEquals(before[0], logits(replaced.model())[0], "the new weights are used");
				assertEquals(before[0], logits(old.model())[0], "the model in use stays open and unchanged");
				assertEquals(1, cache.size());
			}
			ClassifierModel evicted = old.model();
			old.close();
			assertThrows(IllegalStateException.class, () -> logits(evicted), "closed once its last lease is released");
		}
		finally {
			cache.clear();
		}
	}

	/** Trust is given per call: a model one caller trusted is still refused to the next caller who did not. */
	@Test
	void aCachedTrustedModelIsRefusedToCallersWhoDoNotTrustIt() throws Exception {
		ModelCache cache = new ModelCache(2);
		Path hostile = ModelAuditTest.HOSTILE.resolve("frozen-writes-output.pb");
		try (ModelCache.Lease trusted = cache.acquire(hostile, true)) {
			assertEquals(3, trusted.model().auditFindings().size());
			ExplainException e = assertThrows(ExplainException.class, () -> cache.acquire(hostile, false));
			assertTrue(e.getMessage().contains("WriteFile (node 'WriteFile')"), e.getMessage());
			try (ModelCache.Lease again = cache.acquire(hostile, true)) {
				assertSame(trusted.model(), again.model());
			}
		}
		finally {
			cache.clear();
		}
	}

	@Test
	void replacingAModelWhileTwoThreadsExplainNeverCrashes() throws Exception {
		byte[] original = Files.readAllBytes(TestData.MALARIA), perturbed = perturbedWeights(original);
		Path pb = Files.write(tmp.resolve("model.pb"), original);
		Path other = Files.write(tmp.resolve("other.pb"), perturbed);
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		ExplainOptions options = ExplainOptions.defaults(pb, "gradient");
		double scoreOriginal = ExplainJob.run(cell, options).explanation().targetScores()[0];
		double scorePerturbed = ExplainJob.run(cell, ExplainOptions.defaults(other, "gradient")).explanation()
			.targetScores()[0];
		assertNotEquals(scoreOriginal, scorePerturbed, 1e-3);

		List<Float> scores = Collections.synchronizedList(new ArrayList<>());
		List<String> sentences = Collections.synchronizedList(new ArrayList<>());
		List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
		AtomicBoolean replacing = new AtomicBoolean(true);
		// one thread runs the gradient, the other integrated gradients, which copies the network (NetworkCopy)
		ExplainOptions pathMethod = new ExplainOptions(pb, org.explainj.methods.Methods.byName("integrated-gradients"),
			options.target(), options.score(), options.scaling(), null, 32, java.util.Map.of("steps", "8"));
		java.util.function.Function<ExplainOptions, Runnable> explainer = o -> () -> {
			// explain while the file is replaced, then three times more once it is stable
			for (int after = 0; after < 3; after += replacing.get() ? 0 : 1) {
				try {
					scores.add(ExplainJob.run(cell, o).explanation().targetScores()[0]);
				}
				catch (ExplainException e) {
					sentences.add(e.getMessage());
				}
				catch (Throwable t) {
					unexpected.add(t);
				}
			}
		};
		Thread a = new Thread(explainer.apply(options)), b = new Thread(explainer.apply(pathMethod));
		a.start();
		b.start();
		for (int r = 0; r < 12; r++) {
			byte[] next = r % 2 == 0 ? perturbed : original;
			if (r % 4 < 2) Files.write(pb, next); // in place, as cp does: readers may see a half-written file
			else Files.move(Files.write(tmp.resolve("next.pb"), next), pb, StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE);
			Thread.sleep(60);
		}
		replacing.set(false);
		a.join();
		b.join();
		assertEquals(List.of(), unexpected);
		assertTrue(scores.size() >= 6, scores.size() + " explanations succeeded; sentences: " + sentences);
		for (float s : scores) {
			assertTrue(Math.abs(s - scoreOriginal) < 1e-4 || Math.abs(s - scorePerturbed) < 1e-4, "score " + s +
				" is from one of the two models");
		}
		for (String s : sentences) assertTrue(s.endsWith("."), s);
		// the last replacement wrote the original back
		assertEquals(scoreOriginal, ExplainJob.run(cell, options).explanation().targetScores()[0], 1e-6);
		Files.write(pb, perturbed);
		assertEquals(scorePerturbed, ExplainJob.run(cell, options).explanation().targetScores()[0], 1e-6,
			"after replacement the new content is used");
	}
}
