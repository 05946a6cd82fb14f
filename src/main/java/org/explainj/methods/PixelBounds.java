package org.explainj.methods;

import org.explainj.backward.ZBoxRule;

/** The z-box rule's pixel bounds as method parameters: numbers, or "auto" for each image's own range. */
final class PixelBounds {

	static final MethodParameter LOW = MethodParameter.fedWhenNumber("low", "auto",
		"lowest pixel value for z-box (auto = the image's minimum)").within(MethodParameter.Range.anyNumber().orWords("auto"));
	static final MethodParameter HIGH = MethodParameter.fedWhenNumber("high", "auto",
		"highest pixel value for z-box (auto = the image's maximum)").within(MethodParameter.Range.anyNumber().orWords("auto"));

	private PixelBounds() {}

	/** Both bounds given as numbers, or both auto. */
	static void check(MethodSettings s) {
		boolean auto = s.string(LOW.name()).equals("auto"), autoHigh = s.string(HIGH.name()).equals("auto");
		if (auto != autoHigh) throw new org.explainj.ExplainException("Give both low and high, or neither.",
			"For unit-scaled images: low=0 high=1.");
		if (!auto) {
			s.number(LOW.name());
			s.number(HIGH.name());
		}
	}

	static ZBoxRule zBox(AttributionContext context) {
		check(context.settings());
		if (context.settings().string(LOW.name()).equals("auto")) return ZBoxRule.dataRange();
		var low = context.scalar(LOW.name());
		var high = context.scalar(HIGH.name());
		return new ZBoxRule(tf -> low, tf -> high);
	}
}
