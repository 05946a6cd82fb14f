package org.explainj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;
import org.explainj.model.ScoreKind;

/**
 * Runs in a JVM of its own for {@link MemoryBoundsTest} and prints its memory from /proc/self/status:
 * either one CLI command ("peak-kb N" afterwards), or an LRP-epsilon sweep ("rss-kb VALUES N" after 50
 * and after 500 values).
 */
public final class RssProbe {

	public static void main(String[] args) throws IOException {
		if (args[0].equals("sweep")) sweep();
		else {
			int code = Main.run(args, System.out, System.err);
			System.out.println("exit " + code);
		}
		System.out.println("peak-kb " + status("VmHWM"));
		System.out.flush();
		System.exit(0);
	}

	private static void sweep() throws IOException {
		ClassifierModel model = ModelCache.shared().acquire(TestData.MALARIA, false).model();
		InputBatch cell = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), model,
			IntensityScaling.UNIT);
		AttributionMethod lrp = Methods.byName("lrp-epsilon");
		Explainer explainer = new Explainer(model);
		for (int i = 1; i <= 500; i++) {
			explainer.explain(lrp, MethodSettings.of(lrp, Map.of("epsilon", Double.toString(i * 0.001))), cell, null,
				Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 32, (a, b) -> {});
			if (i == 50 || i == 500) System.out.println("rss-kb " + i + " " + status("VmRSS") + " nodes " + model
				.graphSize());
		}
	}

	static long status(String field) throws IOException {
		return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field + ":")).map(
			l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
	}
}
