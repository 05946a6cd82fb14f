package org.explainj.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every method on every model of the zoo (Keras applications made by tools/fixtures/make_model_zoo.py,
 * kept out of git): writes the table model x method to ZOO/table.md (ok, with the gradient's relative
 * error against Python's GradientTape and, on ReLU models, the gap between LRP-0 and gradient x input;
 * else the message), then asserts the targets of issue 10: no internal error, no non-finite map, and the
 * gradient within 1e-4 (relative to its largest value) of GradientTape on every model.
 * <p>
 * Runs only when asked: {@code mvn -B test -Dtest=ZooTest -Dexplainj.zoo=target/zoo}; with
 * {@code -Dexplainj.zoo.methods=gradient,lrp-0,lrp-gamma} only those methods (to recheck a few cells).
 */
class ZooTest {

	static final String PROPERTY = "explainj.zoo";
	static final String METHODS = "explainj.zoo.methods";
	static final double TOLERANCE = 1e-4;

	/**
	 * Fewer samples than the defaults for the sampling methods: the table asks whether each method runs
	 * on each architecture, and ten models times 23 methods must fit in a test run.
	 */
	private static final Map<String, Map<String, String>> LIGHT = Map.of("integrated-gradients", Map.of("steps", "16"),
		"smoothgrad", Map.of("samples", "16"), "rise", Map.of("masks", "200"), "sobol", Map.of("masks", "8"), "occlusion",
		Map.of("stride", "8"));

	private record Reference(InputBatch input, float[] gradient, int cls, boolean relu) {}

	@Test
	void everyMethodOnEveryZooModel() throws IOException {
		String dir = System.getProperty(PROPERTY);
		Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "the zoo runs only with -D" + PROPERTY +
			"=DIR, a folder made by tools/fixtures/make_model_zoo.py");
		List<Path> models;
		try (Stream<Path> list = Files.list(Path.of(dir))) {
			models = list.filter(p -> Files.isRegularFile(p.resolve("reference.json"))).sorted().toList();
		}
		Map<String, Map<String, String>> table = new LinkedHashMap<>();
		List<String> failures = new ArrayList<>();
		for (Path model : models) {
			Map<String, String> row = new LinkedHashMap<>();
			table.put(model.getFileName().toString(), row);
			run(model, row, failures);
			write(Path.of(dir).resolve("table.md"), table);
		}
		assertTrue(failures.isEmpty(), String.join("\n", failures));
	}

	/** For the log (not the table): a relevance method's sum(R) / f(x) and what its rules absorbed, per image. */
	private static String conservation(Explanation e) {
		float[] kept = e.diagnostics().get("conservation"), absorbed = e.diagnostics().get("absorbed");
		return kept == null ? "" : " (conservation " + java.util.Arrays.toString(kept) + (absorbed == null ? ""
			: ", absorbed " + java.util.Arrays.toString(absorbed)) + ")";
	}

	private static void run(Path model, Map<String, String> row, List<String> failures) throws IOException {
		String name = model.getFileName().toString();
		Reference ref = reference(model);
		try (ClassifierModel m = ModelLoader.load(model)) {
			Explainer explainer = new Explainer(m);
			Explanation gradient = null;
			for (AttributionMethod a : methods()) {
				long start = System.nanoTime();
				String cell, conservation = "";
				try {
					Explanation e = explainer.explain(a, MethodSettings.of(a, LIGHT.getOrDefault(a.name(), Map.of())), ref.input(), null, Target.TOP,
						ScoreKind.LOGIT, Reduction.NONE, 32, (d, t) -> {});
					cell = "ok";
					conservation = conservation(e);
					if (!finite(e.maps())) {
						cell = "non-finite map";
						failures.add(name + " " + a.name() + ": " + cell);
					}
					else if (a.name().equals("gradient")) {
						gradient = e;
						double err = relativeError(e.maps(), ref.gradient());
						cell = String.format(Locale.ROOT, "ok (%.1e)", err);
						if (e.targets()[0] != ref.cls()) failures.add(name + ": explained class " + e.targets()[0] +
							", GradientTape's " + ref.cls());
						if (!(err <= TOLERANCE)) failures.add(name + " gradient: relative error " + err);
					}
					else if (a.name().equals("lrp-0") && ref.relu() && gradient != null) {
						float[] gxi = new float[ref.gradient().length];
						for (int i = 0; i < gxi.length; i++) gxi[i] = ref.gradient()[i] * ref.input().data()[i];
						cell = String.format(Locale.ROOT, "ok (gap %.1e)", relativeError(e.maps(), gxi));
					}
				}
				catch (ExplainException e) {
					cell = e.getMessage();
					if (cell.toLowerCase(Locale.ROOT).contains("internal error")) failures.add(name + " " + a.name() + ": " +
						cell);
				}
				catch (RuntimeException e) {
					cell = "internal error: " + e;
					failures.add(name + " " + a.name() + ": " + cell);
				}
				System.out.printf(Locale.ROOT, "%s %s %.1f s: %s%s%n", name, a.name(), (System.nanoTime() - start) / 1e9, cell,
					conservation);
				row.put(a.name(), cell);
			}
		}
		catch (ExplainException e) {
			row.put("(load)", e.getMessage());
			failures.add(name + " does not load: " + e.getMessage());
		}
	}

	/** Every method, or those named in -Dexplainj.zoo.methods. */
	private static List<AttributionMethod> methods() {
		String names = System.getProperty(METHODS, "");
		if (names.isBlank()) return Methods.all();
		// byName refuses a misspelt method: a filter that matched nothing would pass having checked nothing
		return java.util.Arrays.stream(names.split(",")).map(String::trim).map(Methods::byName).toList();
	}

	/** max |a - b| / max |b|. */
	static double relativeError(float[] a, float[] b) {
		double diff = 0, scale = 0;
		for (int i = 0; i < b.length; i++) {
			diff = Math.max(diff, Math.abs(a[i] - b[i]));
			scale = Math.max(scale, Math.abs(b[i]));
		}
		return a.length != b.length ? Double.NaN : diff / scale;
	}

	private static boolean finite(float[] values) {
		for (float v : values) if (!Float.isFinite(v)) return false;
		return true;
	}

	private static Reference reference(Path model) throws IOException {
		String json = Files.readString(model.resolve("reference.json"));
		float[] shape = TestData.numbers(model, "shape"), input = TestData.numbers(model, "input");
		int cls = Integer.parseInt(json.replaceAll("(?s).*\"class\":\\s*(\\d+).*", "$1"));
		return new Reference(new InputBatch(input, (int) shape[0], (int) shape[1], (int) shape[2], (int) shape[3]), TestData
			.numbers(model, "gradient"), cls, json.matches("(?s).*\"relu\":\\s*true.*"));
	}

	/**
	 * The table as Markdown as the README shows it: one row per method, one column per model; messages as
	 * numbered notes below it.
	 */
	private static void write(Path file, Map<String, Map<String, String>> table) throws IOException {
		StringBuilder md = new StringBuilder("| method | " + String.join(" | ", table.keySet()) + " |\n|---|");
		table.keySet().forEach(m -> md.append("---|"));
		md.append('\n');
		Map<String, Integer> notes = new LinkedHashMap<>();
		for (AttributionMethod a : methods()) {
			md.append("| ").append(a.name()).append(" |");
			table.forEach((model, row) -> {
				String cell = row.getOrDefault(a.name(), row.getOrDefault("(load)", ""));
				if (!cell.startsWith("ok")) cell = "[" + notes.computeIfAbsent(cell, k -> notes.size() + 1) + "]";
				md.append(' ').append(cell).append(" |");
			});
			md.append('\n');
		}
		md.append('\n');
		notes.forEach((text, k) -> md.append('[').append(k).append("] ").append(text.replace("|", "\\|").replace('\n', ' '))
			.append("\n\n"));
		Files.writeString(file, md.toString());
	}
}
