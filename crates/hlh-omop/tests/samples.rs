//! The reader against the public sample CDMs (subsets committed in tests/data, see data/PROVENANCE.md):
//! row counts and facts counted there with Python's csv module, independently of DataFusion.

use std::path::PathBuf;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use datafusion::arrow::util::display::array_value_to_string;
use hlh_omop::{Cdm, OmopError};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

async fn count(cdm: &Cdm, sql: &str) -> i64 {
    let batches = cdm.query(sql).await.unwrap();
    batches[0].column(0).as_primitive::<Int64Type>().value(0)
}

#[test]
fn eunomia_row_counts_and_the_gi_bleed_cohort() {
    runtime().block_on(async {
        let cdm = Cdm::open(&sample("eunomia_gibleed_cdm53")).await.unwrap();
        cdm.require().unwrap();
        assert_eq!(count(&cdm, "SELECT count(*) FROM person").await, 2694);
        assert_eq!(count(&cdm, "SELECT count(*) FROM drug_exposure").await, 67707);
        assert_eq!(count(&cdm, "SELECT count(*) FROM condition_occurrence").await, 65332);
        assert_eq!(count(&cdm, "SELECT count(*) FROM measurement").await, 44053);
        assert_eq!(count(&cdm, "SELECT count(*) FROM concept_ancestor").await, 65690);
        assert_eq!(count(&cdm, "SELECT count(*) FROM person WHERE gender_concept_id = 8507").await, 1321);
        assert_eq!(count(&cdm, "SELECT count(*) FROM person WHERE gender_concept_id = 8532").await, 1373);
        assert_eq!(
            count(&cdm, "SELECT count(DISTINCT person_id) FROM condition_occurrence WHERE condition_concept_id = 192671").await,
            479
        );
        assert_eq!(count(&cdm, "SELECT count(value_as_number) FROM measurement").await, 0);
        assert_eq!(count(&cdm, "SELECT count(*) FROM death").await, 0);
    });
}

#[test]
fn synthea_upper_case_files_and_the_twelve_ferritin_rows_of_person_11() {
    runtime().block_on(async {
        let cdm = Cdm::open(&sample("synthea27nj_cdm54")).await.unwrap();
        cdm.require().unwrap();
        assert_eq!(count(&cdm, "SELECT count(*) FROM person").await, 28);
        assert_eq!(count(&cdm, "SELECT count(*) FROM death").await, 3);
        assert_eq!(count(&cdm, "SELECT count(*) FROM measurement").await, 10040);
        assert_eq!(count(&cdm, "SELECT count(value_as_number) FROM measurement").await, 9107);
        let batches = cdm
            .query(
                "SELECT measurement_id, person_id, value_as_number, unit_concept_id, unit_source_value, \
                 CAST(measurement_date AS VARCHAR) FROM measurement WHERE measurement_concept_id = 3001122 \
                 ORDER BY measurement_id",
            )
            .await
            .unwrap();
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 12);
        for batch in &batches {
            let person = batch.column(1).as_primitive::<Int64Type>();
            let unit = batch.column(3).as_primitive::<Int64Type>();
            for i in 0..batch.num_rows() {
                assert_eq!(person.value(i), 11);
                assert_eq!(unit.value(i), 8748);
            }
        }
        // Measurement 4683: 130.2 ug/L on 2004-08-11 (the facts file).
        let one = cdm
            .query("SELECT value_as_number, CAST(measurement_date AS VARCHAR) FROM measurement WHERE measurement_id = 4683")
            .await
            .unwrap();
        assert_eq!(one[0].column(0).as_primitive::<Float64Type>().value(0), 130.2);
        assert_eq!(array_value_to_string(one[0].column(1), 0).unwrap(), "2004-08-11");
    });
}

#[test]
fn mimic_negative_64_bit_ids_read_exactly_and_its_missing_measurement_table_is_named() {
    runtime().block_on(async {
        let cdm = Cdm::open(&sample("mimic_iv_demo_cdm53_partial"))
            .await
            .unwrap();
        assert_eq!(count(&cdm, "SELECT count(*) FROM person").await, 100);
        assert_eq!(
            count(&cdm, "SELECT count(*) FROM person WHERE person_id < 0").await,
            47
        );
        assert_eq!(
            count(&cdm, "SELECT count(DISTINCT person_id) FROM death").await,
            15
        );
        // Beyond 2^53: exact, not through a double.
        assert_eq!(
            count(
                &cdm,
                "SELECT count(*) FROM death WHERE person_id = -2312013739856114142"
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &cdm,
                "SELECT count(*) FROM person WHERE person_id = 3589912774911670296"
            )
            .await,
            1
        );
        let error = cdm.require().unwrap_err();
        let text = error.to_string();
        assert!(
            matches!(
                error,
                OmopError::MissingTable {
                    table: "measurement",
                    ..
                }
            ),
            "{text}"
        );
        assert!(text.contains("no table measurement"), "{text}");
    });
}

#[test]
fn a_missing_column_and_a_wrong_type_name_table_file_and_column() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("person.csv"),
            "person_id,year_of_birth\n1,1980\n",
        )
        .unwrap();
        let error = Cdm::open(dir.path()).await.unwrap_err().to_string();
        assert!(
            error.contains("person.csv (table person): missing column gender_concept_id"),
            "{error}"
        );

        std::fs::write(
            dir.path().join("person.csv"),
            "person_id,gender_concept_id,year_of_birth\n1,8507,nineteen\n",
        )
        .unwrap();
        let cdm = Cdm::open(dir.path()).await.unwrap();
        assert!(cdm
            .query("SELECT sum(year_of_birth) FROM person")
            .await
            .is_err());
        let error = hlh_omop::cdm::find_bad_column(&cdm, "person")
            .await
            .unwrap()
            .to_string();
        assert!(
            error.contains(
                "person.csv (table person), column year_of_birth: a value is not an integer"
            ),
            "{error}"
        );
    });
}

#[test]
fn tab_separated_csv_and_parquet_folders_read_and_a_corrupt_file_is_named() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("PERSON.csv"), "PERSON_ID\tGENDER_CONCEPT_ID\tYEAR_OF_BIRTH\n-9223372036854775808\t8532\t1970\n9223372036854775807\t8507\t1980\n").unwrap();
        let cdm = Cdm::open(dir.path()).await.unwrap();
        assert_eq!(count(&cdm, "SELECT count(*) FROM person WHERE person_id = -9223372036854775808").await, 1);
        assert_eq!(count(&cdm, "SELECT max(person_id) FROM person").await, i64::MAX);

        // A folder of Parquet files is one table: a synthetic CDM's measurement file, twice over.
        let synthetic = dir.path().join("synthetic");
        hlh_omop::synth::synth(40, None, &synthetic, 1, hlh_omop::synth::Layout::Files, &mut |_| {}).unwrap();
        let folder = dir.path().join("folder");
        std::fs::create_dir_all(folder.join("measurement")).unwrap();
        for part in ["part-0.parquet", "part-1.parquet"] {
            std::fs::copy(synthetic.join("measurement.parquet"), folder.join("measurement").join(part)).unwrap();
        }
        let one = Cdm::open(&synthetic).await.unwrap();
        let two = Cdm::open(&folder).await.unwrap();
        let rows = count(&one, "SELECT count(*) FROM measurement").await;
        assert!(rows > 0);
        assert_eq!(count(&two, "SELECT count(*) FROM measurement").await, 2 * rows);

        std::fs::write(dir.path().join("drug_exposure.parquet"), b"not a parquet file").unwrap();
        let error = Cdm::open(dir.path()).await.unwrap_err().to_string();
        assert!(error.contains("drug_exposure.parquet (table drug_exposure): cannot be read"), "{error}");
    });
}

/// The distinct persons counted in passes (by residue of the id) equal one count: repeated rows once,
/// negative ids and ids beyond 2^53 in their residue.
#[test]
fn persons_counted_in_passes_are_counted_once_each() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("person_id,gender_concept_id,year_of_birth\n");
        for id in [
            1i64,
            2,
            2,
            3,
            -7,
            -7,
            -8,
            9_007_199_254_740_993,
            i64::MIN,
            i64::MAX,
            40,
            41,
            41,
        ] {
            text.push_str(&format!("{id},8507,1970\n"));
        }
        std::fs::write(dir.path().join("person.csv"), text).unwrap();
        let cdm = Cdm::open(dir.path()).await.unwrap();
        let one = hlh_omop::find::distinct_persons(&cdm, hlh_omop::find::DISTINCT_PER_PASS)
            .await
            .unwrap();
        assert_eq!(one, 10);
        for per_pass in [1, 2, 3, 5] {
            assert_eq!(
                hlh_omop::find::distinct_persons(&cdm, per_pass)
                    .await
                    .unwrap(),
                10,
                "{per_pass}"
            );
        }
    });
}

/// Rows repeated with the same id but different values (a measurement, a condition, a drug exposure)
/// count once, and the copy kept does not depend on the order the rows come in: the cohort found is the
/// same with the copies in either order (each CSV is read in its row order, as one partition).
#[test]
fn differing_copies_of_one_id_give_the_same_cohort_in_either_order() {
    let tables = |flip: bool| {
        let pair = |first: &str, second: &str| {
            if flip {
                format!("{second}\n{first}\n")
            } else {
                format!("{first}\n{second}\n")
            }
        };
        [
            ("person.csv", "person_id,gender_concept_id,year_of_birth\n1,8507,1970\n".to_string()),
            (
                "drug_exposure.csv",
                "drug_exposure_id,person_id,drug_concept_id,drug_exposure_start_date,drug_exposure_end_date,drug_source_value,stop_reason\n\
                 1,1,1114375,2020-01-10,2020-01-20,,\n"
                    .to_string()
                    + &pair(
                        "2,1,1518254,2020-01-12,2020-01-16,dexamethasone,",
                        "2,1,1518254,2020-01-11,2020-01-15,dexamethasone,",
                    ),
            ),
            (
                "condition_occurrence.csv",
                "condition_occurrence_id,person_id,condition_concept_id,condition_start_date,condition_source_value\n"
                    .to_string()
                    + &pair("10,1,4121123,2020-01-09,", "10,1,4121123,2020-06-01,"),
            ),
            (
                "measurement.csv",
                "measurement_id,person_id,measurement_concept_id,measurement_date,value_as_number,unit_concept_id,unit_source_value,measurement_source_value\n"
                    .to_string()
                    + &pair("100,1,3001122,2020-01-10,7000,8748,,", "100,1,3001122,2020-01-10,5000,8748,,")
                    + &pair("101,1,3020460,2020-01-10,,8751,,", "101,1,3020460,2020-01-10,120,8751,,"),
            ),
        ]
    };
    let found = |flip: bool| {
        runtime().block_on(async {
            let dir = tempfile::tempdir().unwrap();
            for (name, text) in tables(flip) {
                std::fs::write(dir.path().join(name), text).unwrap();
            }
            let cdm = Cdm::open(dir.path()).await.unwrap();
            hlh_omop::find::find(&cdm, &hlh_omop::find::FindOptions::default())
                .await
                .unwrap()
        })
    };
    let (one, other) = (found(false), found(true));
    // The condition copy in the window (the earlier date) includes the person on the HLH code.
    assert_eq!(one.persons.len(), 1, "{:?}", one.attrition);
    assert_eq!(format!("{one:?}"), format!("{other:?}"));
    let values: Vec<(i64, f64)> = one
        .observations
        .iter()
        .map(|o| (o.measurement_id, o.value))
        .collect();
    // Of two ferritins the smaller is kept; of two CRPs the one with a value.
    assert_eq!(values, [(100, 5000.0), (101, 120.0)]);
    let courses: Vec<String> = one
        .treatments
        .iter()
        .map(|t| format!("{} {} {:?}", t.drug_exposure_id, t.start, t.end))
        .collect();
    assert_eq!(
        courses,
        [
            "1 2020-01-10 Some(2020-01-20)",
            "2 2020-01-11 Some(2020-01-15)"
        ]
    );
    assert_eq!(
        one.dropped
            .get("measurement repeated with the same measurement_id (counted once)"),
        Some(&2)
    );
}
