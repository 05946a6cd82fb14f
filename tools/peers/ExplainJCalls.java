import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.explainj.job.ExplainOptions;
import org.explainj.methods.Explainer;
import org.explainj.methods.InputBatch;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * ExplainJ's side of tools/peers/paired.py, a long-lived process: reads lines "N METHOD S" (N images, a method
 * name or "forward", seconds), makes calls as `bin/explainj bench` does (random images in [0, 1), the
 * predicted class, logit score, the default batch size; saliency reduced over the channels as the peers do)
 * back to back for S seconds, at least one, and answers the median milliseconds of the calls after the first
 * (the first meets the threads another side left). Run by paired.py as
 * {@code java -cp "target/ExplainJ_-*.jar:target/lib/*" tools/peers/ExplainJCalls.java MODEL.pb}.
 */
public class ExplainJCalls {

	public static void main(String[] args) throws Exception {
		try (ClassifierModel model = ModelLoader.load(Path.of(args[0]))) {
			Explainer explainer = new Explainer(model);
			Map<Integer, InputBatch> batches = new HashMap<>();
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
			for (String line; (line = in.readLine()) != null;) {
				String[] call = line.trim().split("\\s+");
				InputBatch batch = batches.computeIfAbsent(Integer.parseInt(call[0]), n -> random(model, n));
				long end = System.nanoTime() + (long) (Double.parseDouble(call[2]) * 1e9);
				List<Double> ms = new ArrayList<>();
				do {
					long t0 = System.nanoTime();
					if (call[1].equals("forward")) forward(model, batch);
					// saliency as the peers return it, the largest |gradient| over the channels; the rest unreduced
					else explainer.explain(Methods.byName(call[1]), batch, Target.TOP, ScoreKind.LOGIT, call[1].equals(
						"saliency") ? Reduction.MAX_ABS : Reduction.NONE, ExplainOptions.DEFAULT_BATCH_SIZE);
					ms.add((System.nanoTime() - t0) / 1e6);
				}
				while (System.nanoTime() < end);
				List<Double> after = ms.size() > 1 ? ms.subList(1, ms.size()) : ms;
				Collections.sort(after);
				System.out.println(String.format(Locale.ROOT, "%.4f", after.get(after.size() / 2)));
				System.out.flush();
			}
		}
	}

	private static void forward(ClassifierModel model, InputBatch batch) {
		try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch.n(), batch.height(), batch.width(), batch.channels()),
				DataBuffers.of(batch.data(), true, false));
			Result r = model.session().runner().feed(model.input(), x).fetch(model.output()).run())
		{
			r.get(0);
		}
	}

	private static InputBatch random(ClassifierModel model, int n) {
		float[] data = new float[n * model.height() * model.width() * model.channels()];
		Random random = new Random(42);
		for (int i = 0; i < data.length; i++) data[i] = random.nextFloat();
		return new InputBatch(data, n, model.height(), model.width(), model.channels());
	}
}
