import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;

import org.explainj.maximize.ActivationMaximizer;
import org.explainj.maximize.MaximizeOptions;
import org.explainj.maximize.Prototypes;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/**
 * Makes the README pictures docs/prototypes-digits.jpg and docs/prototypes-malaria.jpg. Run from the
 * repository root after `mvn -B -DskipTests package`:
 *
 *   java -cp "target/classes:target/lib/*" tools/PrototypePictures.java
 */
public class PrototypePictures {

	static final int SCALE = 4, LABEL = 22, GAP = 4, LEFT = 150;

	public static void main(String[] args) {
		System.setProperty("java.awt.headless", "true");
		ClassifierModel digits = ModelCache.shared().get(Path.of("test-images/models/digits-classifier"));
		String all = "0,1,2,3,4,5,6,7,8,9";
		MaximizeOptions base = MaximizeOptions.defaults();
		Prototypes plain = ActivationMaximizer.maximize(digits, all, base);
		Prototypes regular = ActivationMaximizer.maximize(digits, all, base.withJitter(1).withTv(0.02f).withBlurEvery(10));
		Prototypes code = ActivationMaximizer.maximize(digits, all, base.withGenerator(Path.of(
			"test-images/models/digits-generator")));
		save(montage(new Prototypes[] { plain, regular, code }, new String[] { "input space", "+ jitter, TV, blur",
			"code space (VAE)" }), "docs/prototypes-digits.jpg");

		ClassifierModel malaria = ModelCache.shared().get(Path.of("test-images/models/nlm-malaria/malaria_thinsmear_44.pb"));
		MaximizeOptions m = base.withLambda(0.001f);
		Prototypes mPlain = ActivationMaximizer.maximize(malaria, "infected,uninfected", m);
		Prototypes mRegular = ActivationMaximizer.maximize(malaria, "infected,uninfected", m.withJitter(2).withTv(0.002f)
			.withBlurEvery(10));
		save(montage(new Prototypes[] { mPlain, mRegular }, new String[] { "input space", "+ jitter, TV, blur" }),
			"docs/prototypes-malaria.jpg");
		for (Prototypes p : new Prototypes[] { plain, regular, code, mPlain, mRegular }) {
			for (int i = 0; i < p.size(); i++) System.out.println(p.label(i));
		}
		ModelCache.shared().clear();
		System.exit(0);
	}

	/** Rows = settings, columns = targets; each tile scaled x4 (nearest), values shown 0..1. */
	static ColorProcessor montage(Prototypes[] rows, String[] names) {
		Prototypes first = rows[0];
		int tw = first.width() * SCALE, th = first.height() * SCALE;
		int cols = first.size();
		ColorProcessor out = new ColorProcessor(LEFT + cols * (tw + GAP), LABEL + rows.length * (th + LABEL + GAP));
		out.setColor(Color.WHITE);
		out.fill();
		out.setFont(new Font("SansSerif", Font.PLAIN, 14));
		out.setAntialiasedText(true);
		out.setColor(Color.BLACK);
		for (int c = 0; c < cols; c++) out.drawString("class " + first.targets().get(c), LEFT + c * (tw + GAP) + 4, LABEL - 4);
		for (int r = 0; r < rows.length; r++) {
			int y = LABEL + r * (th + LABEL + GAP);
			out.setColor(Color.BLACK);
			out.drawString(names[r], 4, y + th / 2 + 6);
			for (int c = 0; c < cols; c++) {
				ImageProcessor tile = tile(rows[r], c).resize(tw, th);
				out.insert(tile, LEFT + c * (tw + GAP), y);
				out.setColor(Color.BLACK);
				out.drawString(String.format(java.util.Locale.ROOT, "p=%.3f", rows[r].finalProbabilities()[c]), LEFT + c *
					(tw + GAP) + 4, y + th + LABEL - 5);
			}
		}
		return out;
	}

	static ColorProcessor tile(Prototypes p, int i) {
		int n = p.width() * p.height();
		if (p.channels() == 1) {
			FloatProcessor fp = new FloatProcessor(p.width(), p.height(), p.planes()[i].clone());
			fp.setMinAndMax(0, 1);
			return fp.convertToColorProcessor();
		}
		ColorProcessor cp = new ColorProcessor(p.width(), p.height());
		byte[][] rgb = new byte[3][n];
		for (int ch = 0; ch < 3; ch++) {
			for (int k = 0; k < n; k++) {
				float v = Math.max(0, Math.min(1, p.planes()[i][ch * n + k]));
				rgb[ch][k] = (byte) Math.round(v * 255);
			}
		}
		cp.setRGB(rgb[0], rgb[1], rgb[2]);
		return cp;
	}

	static void save(ColorProcessor cp, String file) {
		ImagePlus imp = new ImagePlus(file, cp);
		ij.io.FileSaver.setJpegQuality(90);
		if (!new ij.io.FileSaver(imp).saveAsJpeg(file)) throw new IllegalStateException("cannot write " + file);
		System.out.println("wrote " + file);
	}
}
