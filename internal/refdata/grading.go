package refdata

import (
	"bytes"
	_ "embed"
	"fmt"

	"xinyong"
)

// GradingFile is the default grading model (信用分级分类监管, issue 8),
// loaded on first start like the rest of the reference data. Its numbers
// are platform defaults with provenance unconfirmed (the grade set and
// indicators of GB/T 45255-2025 were not read): see the file's source.
const GradingFile = "grading.json"

//go:embed grading.json
var gradingJSON []byte

// GradingFileData is the shape of grading.json.
type GradingFileData struct {
	Source string                 `json:"source"`
	Models []xinyong.GradingModel `json:"models"`
}

// GradingModels returns the embedded default grading models, normalised
// and checked against the embedded catalogue.
func GradingModels() ([]xinyong.GradingModel, error) {
	set, err := Load()
	if err != nil {
		return nil, err
	}
	return ParseGradingModels(gradingJSON, set)
}

// ParseGradingModels reads grading models in the shape of grading.json and
// checks each against the catalogue of set.
func ParseGradingModels(b []byte, set *Set) ([]xinyong.GradingModel, error) {
	var f GradingFileData
	if err := decodeStrict(bytes.NewReader(b), &f); err != nil {
		return nil, xinyong.Errorf(xinyong.EINVALID, "%s: %v", GradingFile, err)
	}
	cat := map[string]xinyong.CatalogueItem{}
	for _, it := range set.Items {
		cat[it.Code] = it
	}
	var out []xinyong.GradingModel
	for i, m := range f.Models {
		m = xinyong.NormalizeGradingModel(m)
		if m.Source == "" {
			m.Source = f.Source
		}
		if err := xinyong.ValidateGradingModel(m, cat); err != nil {
			return nil, fmt.Errorf("%s: models[%d] (%s): %w", GradingFile, i, m.ID, err)
		}
		out = append(out, m)
	}
	return out, nil
}
