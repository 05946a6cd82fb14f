package org.explainj.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

import org.explainj.ExplainException;
import org.explainj.job.CommonOption;
import org.explainj.image.Geometry;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.job.InputFiles;
import org.explainj.job.JobOptions;
import org.explainj.job.ResultFiles;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Kind;
import org.explainj.methods.MethodParameter;
import org.explainj.methods.Methods;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerIndex;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;
import org.explainj.render.Heatmaps;

import ij.IJ;
import ij.ImagePlus;

/** The command-line tool behind bin/explainj. */
public final class Main {

	static final String USAGE = """
		usage: bin/explainj COMMAND [options]
		  explain  --model PATH --image FILE --method NAME --out FILE.tif
		           [--target top|INDEX|NAME] [--score logit|probability|log-probability]
		           [--scale none|unit|minmax|percentile] [--reduce none|sum|abs-sum|max-abs|l2-sq]
		           [--overlay FILE.png] [--batch-size N] [--PARAMETER VALUE ...] [--trust-model]
		           [--channels all|C|C1-C2|C1,C2,...]
		           [--geometry auto|fit|tile|roi] [--window PX] [--window-stride PX] [--class-map FILE.tif]
		           [--roi x,y,w,h ...] [--rois FILE.zip|FILE.roi]
		           (each method's parameters: bin/explainj methods; --scale: the model's explainj.json
		           "scaling", else unit; --channels: all channels of a composite or hyperstack, else these)
		  maximize --model PATH --target C[,C...] --out FILE.tif [--generator PATH] [--steps N]
		           [--lambda F] [--lr F] [--seed N] [--jitter N] [--tv F] [--blur N] [--low F] [--high F]
		           class prototypes (activation maximisation) -> FILE.tif and FILE_objective.csv
		  methods  list the explanation methods
		  inspect  --model PATH      input, output, classes and layers of a model
		  --trust-model (explain, maximize, evaluate, inspect): run a model even though it reads or writes
		           files, talks to the network or calls Python (refused otherwise; only for trusted sources)
		  demo     [--out DIR] [--target top|INDEX|NAME]
		           the NLM malaria classifier on four NIH cell crops -> demo-output/
		  bench    [--repeats N] [--model PATH] [--methods a,b,...] [--threads N|INTRA,INTER] [--warmup-s S]
		           every method's first call and warm median (after S = 2 s of untimed calls) at batch 1
		           and 32, its ratio to the forward pass and its performance goal (the demo model by
		           default); with lrp-epsilon, a sweep over 50 epsilons against one epsilon as often, and
		           the graph's size before and after
		  bench    --profile METHOD [--batch N] [--repeats N] [--model PATH] [--warmup-s S]
		           where one method's time goes: TensorFlow's trace of its runs, summed by op type and op
		  bench    --cold-start RUNS [--method NAME]
		           one explanation of one cell by the command line in a new JVM: wall time, peak RSS
		  bench    --tiled SIZE [--method NAME] [--window PX] [--window-stride PX]
		           a SIZE x SIZE field of cells tiled (windows of 150 px): time and peak memory
		  evaluate --model PATH --images DIR|FILE[,FILE...] --out DIR [--methods a,b,...]
		           [--metric selectivity|continuity|insertion|mufidelity|all] [--window K] [--steps N]
		           [--fill zeros|mean|noise|blur] [--continuity-steps N] [--continuity-mode translate|gaussian]
		           [--insertion-steps N] [--insertion-baseline blur|zeros|mean|noise]
		           [--subsets N] [--subset-probability P] [--seed N] [--geometry fit|roi] [--roi x,y,w,h ...]
		           [--rois FILE.zip|FILE.roi]
		           compares methods (and the random and edges baselines) -> comparison.csv, selectivity.png,
		           insertion.png, continuity.png
		  sanity   --model PATH --images DIR|FILE[,FILE...] --out DIR [--methods a,b,...] [--seed N]
		           model-randomisation check -> sanity.csv, sanity.png (curves), sanity-montage.png
		""";

	/** The explain command's own options; the common ones come from {@link JobOptions#ALL}, the method's from it. */
	private static final Set<String> EXPLAIN_OWN = Set.of("image", "method", "out", "overlay", "class-map", "roi",
		"rois");

	private Main() {}

	public static void main(String[] args) {
		System.setProperty("java.awt.headless", "true");
		int code = run(args, System.out, System.err);
		ModelCache.shared().clear();
		System.exit(code);
	}

	/** Runs one command; returns the exit code. Errors the user can fix are one line on {@code err}. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
			(args.length == 0 ? err : out).print(USAGE);
			return args.length == 0 ? 2 : 0;
		}
		List<String> rest = Arrays.asList(args).subList(1, args.length);
		try {
			switch (args[0]) {
				case "explain" -> explain(rest, out, err);
				case "maximize" -> Maximize.run(new Arguments("maximize", rest, Maximize.OPTIONS), out);
				case "methods" -> methods(out);
				case "inspect" -> inspect(new Arguments("inspect", rest, Set.of("model", "trust-model")), out);
				case "demo" -> Demo.run(new Arguments("demo", rest, Set.of("out", "target")), out);
				case "bench" -> Bench.run(new Arguments("bench", rest, Bench.OPTIONS), out);
				case "evaluate" -> Evaluate.run(new Arguments("evaluate", rest, Evaluate.OPTIONS), out, err);
				case "sanity" -> Sanity.run(new Arguments("sanity", rest, Sanity.OPTIONS), out, err);
				default -> throw new ExplainException("Unknown command '" + args[0] + "'.",
					"Use explain, maximize, evaluate, sanity, methods, inspect, demo or bench.");
			}
			return 0;
		}
		catch (ExplainException e) {
			err.println("explainj: " + e.getMessage());
			return 1;
		}
		catch (RuntimeException | LinkageError | OutOfMemoryError e) {
			// anything unforeseen still ends as one line, with what it was
			err.println("explainj: " + ExplainException.unexpected(e).getMessage());
			return 1;
		}
	}

	private static void explain(List<String> args, PrintStream out, PrintStream err) {
		// the method decides which further options exist: find it first
		int m = args.indexOf("--method");
		AttributionMethod named = m >= 0 && m + 1 < args.size() ? Methods.byName(args.get(m + 1)) : null;
		Arguments a = new Arguments("explain", args, explainOptions(named));
		AttributionMethod method = Methods.byName(a.required("method"));
		Map<String, String> parameters = new HashMap<>();
		for (MethodParameter p : method.parameters()) {
			String v = a.get(p.cliName(), null);
			if (v != null) parameters.put(p.name(), v);
		}
		Path outFile = Path.of(a.required("out"));
		if (!outFile.getFileName().toString().matches("(?i).*\\.tiff?")) throw new ExplainException(
			"--out " + outFile + " is not a .tif file.", "Name the output FILE.tif.");
		String overlayName = a.get("overlay", null);
		if (overlayName != null && !overlayName.toLowerCase(java.util.Locale.ROOT).endsWith(".png")) throw new
			ExplainException("--overlay " + overlayName + " is not a .png file.", "Name the overlay FILE.png.");
		a.required("model");
		ExplainOptions options = ExplainOptions.defaults(null, method.name()).withParameters(parameters);
		for (CommonOption<ExplainOptions> o : JobOptions.ALL) {
			if (o.cliName() == null) continue;
			String text = o.kind() == Kind.FLAG ? String.valueOf(a.flag(o.cliName())) : a.get(o.cliName(), null);
			options = o.applyCli(method.name(), options, text);
		}
		options = options.withGeometry(CliGeometry.withRois(options.geometry(), a));
		String classMap = a.get("class-map", null);
		if (classMap != null && options.geometry().kind() != Geometry.Kind.TILE) throw new ExplainException(
			"--class-map needs --geometry tile (a class map is made from the windows of a tiled run).",
			"Add --geometry tile, or leave out --class-map.");
		if (classMap != null && !classMap.matches("(?i).*\\.tiff?")) throw new ExplainException("--class-map " + classMap +
			" is not a .tif file.", "Name the class map FILE.tif.");
		Path imageFile = Path.of(a.required("image"));
		InputFiles inputs = new InputFiles().file("input image", imageFile).model(options.model()).file("baseline image",
			parameters.containsKey("baseline") ? Path.of(parameters.get("baseline")) : null).file("ROI file", a.get("rois",
				null) == null ? null : Path.of(a.get("rois", null)));
		inputs.refuse("--out", outFile);
		String overlay = a.get("overlay", null);
		if (overlay != null) inputs.refuse("--overlay", Path.of(overlay));
		if (classMap != null) inputs.refuse("--class-map", Path.of(classMap));
		if (overlay != null && ExplainJob.atLayerResolution(options)) throw new ExplainException("--overlay needs the map " +
			"at the image's size, but --resolution layer writes it at the layer's own resolution.",
			"Leave out --overlay, or use --resolution input for an overlay.");
		ImagePlus image = openImage(imageFile);
		ExplainResult result = ExplainJob.run(image, options);
		result.notes().forEach(note -> err.println("explainj: note: " + note));
		ResultFiles.saveTiff(result.mapImage(), outFile);
		if (classMap != null) ResultFiles.saveTiff(classMapStack(result), Path.of(classMap));
		if (overlay != null) {
			ResultFiles.savePng(Heatmaps.blend(image.getProcessor(), result.heatmap(0), 0.5), Path.of(overlay));
		}
		if (!result.model().auditFindings().isEmpty()) out.println(ModelAudit.trustNote(result.model()));
		for (int r = 0; r < result.rows().size(); r++) out.println(image.getTitle() + (result.frames() > 1 ? " #" + (result
			.rows().get(r).frame() + 1) : "") + ": " + result.label(r));
		out.println("wrote " + outFile + (overlay != null ? " and " + overlay : "") + (classMap != null ? " and " + classMap
			: ""));
	}

	/** The class map, and for target top the top-class image as a second channel (as 32-bit values). */
	private static ImagePlus classMapStack(ExplainResult result) {
		ImagePlus p = result.classMapImage(), labels = result.labelImage();
		if (labels == null) return p;
		ij.ImageStack stack = new ij.ImageStack(p.getWidth(), p.getHeight());
		for (int i = 1; i <= p.getStackSize(); i++) {
			stack.addSlice(p.getStack().getSliceLabel(i), p.getStack().getProcessor(i));
			stack.addSlice(labels.getStack().getSliceLabel(i), labels.getStack().getProcessor(i).convertToFloat());
		}
		ImagePlus both = new ImagePlus(p.getTitle(), stack);
		both.setDimensions(2, p.getNSlices(), p.getNFrames());
		if (both.getStackSize() > 2 || p.getNFrames() > 1) both.setOpenAsHyperStack(true);
		both.setCalibration(p.getCalibration());
		return both;
	}

	/** Every option of explain with this method (null: before it is known): its own, the common ones, the method's. */
	public static Set<String> explainOptions(AttributionMethod method) {
		Set<String> known = new HashSet<>(EXPLAIN_OWN);
		JobOptions.ALL.stream().map(CommonOption::cliName).filter(java.util.Objects::nonNull).forEach(known::add);
		if (method != null) method.parameters().forEach(p -> known.add(p.cliName()));
		return known;
	}

	static ImagePlus openImage(Path file) {
		if (!Files.exists(file)) throw new ExplainException("Image not found: " + file + ".",
			"Give an image file ImageJ can open (TIFF, PNG, JPEG ...).");
		if (!Files.isRegularFile(file)) throw new ExplainException("The image " + file + " is not a regular file (it is " +
			"a folder, device, FIFO or socket).", "Give an image file ImageJ can open (TIFF, PNG, JPEG ...).");
		ImagePlus imp = IJ.openImage(file.toString());
		if (imp == null) throw new ExplainException("ImageJ cannot open " + file + " as an image.",
			"Give a TIFF, PNG, JPEG or another format ImageJ reads.");
		return imp;
	}

	private static void methods(PrintStream out) {
		for (AttributionMethod m : Methods.all()) {
			out.printf("%-18s %-8s %s%n", m.name(), m.defaultReduction().cliName(), m.description());
			for (MethodParameter p : m.parameters()) {
				out.printf("%-18s   --%s %s: %s%s%n", "", p.name(), p.defaultValue(), p.description(), !p.choices().isEmpty()
					? " (" + String.join("|", p.choices()) + ")" : p.range() == null ? "" : " (" + p.range().describe() + ")");
			}
		}
	}

	private static void inspect(Arguments a, PrintStream out) {
		try (ModelCache.Lease lease = ModelCache.shared().acquire(Path.of(a.required("model")), a.flag("trust-model"))) {
			describe(lease.model(), out);
		}
	}

	private static void describe(ClassifierModel model, PrintStream out) {
		if (!model.auditFindings().isEmpty()) out.println(ModelAudit.trustNote(model));
		out.println("model:      " + model.path());
		out.println("format:     " + model.format());
		out.println("input:      " + model.input().op().name() + " " + model.input().shape());
		out.println("output:     " + model.output().op().name() + " " + model.output().shape() + " (" + model.activation()
			.name().toLowerCase() + ")");
		out.println("logits:     " + model.logits().op().name());
		out.println("classes:    " + model.numClasses() + (model.labels().isEmpty() ? "" : " " + model.labels()));
		out.println("layers:");
		for (LayerIndex.Layer l : model.layers().layers()) out.println("  " + l);
	}
}
