package org.explainj.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.image.IntensityScaling;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.job.InputFiles;
import org.explainj.job.ResultFiles;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Methods;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.explainj.render.Heatmaps;
import org.explainj.render.Montage;

import ij.ImagePlus;
import ij.process.ImageProcessor;

/**
 * The bundled demo: the NLM thin-smear malaria classifier on four NIH red blood cell crops, every method,
 * heatmap TIFFs, overlay PNGs and one montage (cells x methods).
 */
final class Demo {

	static final String MODEL = "test-images/models/nlm-malaria/malaria_thinsmear_44.pb";
	static final String IMAGES = "test-images/images/malaria";
	private static final int TILE = 132;

	private Demo() {}

	static Path home() {
		return Path.of(System.getProperty("explainj.home", "."));
	}

	static void run(Arguments a, PrintStream out) {
		Path outDir = Path.of(a.get("out", "demo-output"));
		Path model = home().resolve(MODEL);
		List<Path> cells = cellImages();
		InputFiles inputs = new InputFiles().model(model).file("demo images folder", home().resolve(IMAGES));
		inputs.refuse("--out", outDir);
		Target target = new Target(a.get("target", "top"));
		List<AttributionMethod> methods = Methods.all();
		List<String> titles = new ArrayList<>(List.of("cell"));
		methods.forEach(m -> titles.add(m.title()));
		List<List<ImageProcessor>> rows = new ArrayList<>();
		List<String> captions = new ArrayList<>();
		out.println("model: " + model + " (class 0 = infected, 1 = uninfected)");
		for (Path cell : cells) {
			ImagePlus image = Main.openImage(cell);
			String name = cell.getFileName().toString().replaceFirst("\\.png$", "");
			List<ImageProcessor> row = new ArrayList<>(List.of(image.getProcessor()));
			ExplainResult first = null;
			for (AttributionMethod method : methods) {
				ExplainOptions options = new ExplainOptions(model, method, target, ScoreKind.LOGIT, IntensityScaling.UNIT,
					null, ExplainOptions.DEFAULT_BATCH_SIZE, Map.of());
				ExplainResult result = ExplainJob.run(image, options);
				if (first == null) first = result;
				ResultFiles.saveTiff(result.mapImage(), outDir.resolve(name + "_" + method.name() + ".tif"));
				var overlay = Heatmaps.blend(image.getProcessor(), result.heatmap(0), 0.55);
				ResultFiles.savePng(overlay, outDir.resolve(name + "_" + method.name() + "_overlay.png"));
				row.add(overlay);
			}
			int predicted = first.explanation().predicted()[0];
			String label = first.model().className(predicted);
			float p = first.explanation().probabilities()[0][predicted];
			out.printf(Locale.ROOT, "%-70s predicted %-10s p=%.4f%n", cell.getFileName(), label, p);
			rows.add(row);
			captions.add(String.format(Locale.ROOT, "%s (truth) -> %s p=%.3f", name.substring(0, name.indexOf("__")), label, p));
		}
		Path montage = outDir.resolve("montage.png");
		ResultFiles.savePng(Montage.build(titles, captions, rows, TILE), montage);
		out.println("wrote " + cells.size() * methods.size() + " heatmap TIFFs, as many overlay PNGs and " + montage);
	}

	private static List<Path> cellImages() {
		Path dir = home().resolve(IMAGES);
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
		}
		catch (IOException e) {
			throw new ExplainException("The demo images are missing (" + dir + ").",
				"Run bin/explainj demo from the ExplainJ folder, or set -Dexplainj.home to it.", e);
		}
	}
}
