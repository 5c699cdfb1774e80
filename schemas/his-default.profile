# his-default.profile - how bulu reads HIS exports unless told otherwise.
#
# The headers of CONTRACT.md ("HIS exports and reconcile"): the Chinese names,
# and bulu's canonical English field names as a second spelling, so an
# export with either header works.  Copy this file to write a profile for
# another HIS; the format is in docs/his-profiles.md.

[profile]
name = default
encoding = auto            # auto | utf-8 | gb18030 (gbk, gb2312 are names for it)
date_format = auto         # auto, or a pattern such as YYYYMMDDhhmmss
timezone = outage          # outage (the ledger's), local, or an offset such as +08:00
money_unit = yuan          # yuan | fen
void_status = 作废|void    # invoice status values that mean voided

[registrations]
his_id = 流水号|his_id
patient_id = 患者编号|patient_id
patient_name = 姓名|patient_name
sex = 性别|sex
dept = 科室|dept
doctor = 医生|doctor
fee = 挂号费|fee
occurred_at = 发生时间|occurred_at
entered_at = 录入时间|entered_at
operator = 操作员|operator
invoice_no = 发票号|invoice_no
ref = 备注|ref

[charges]
his_id = 流水号|his_id
patient_id = 患者编号|patient_id
patient_name = 姓名|patient_name
item_code = 项目编码|item_code
item_name = 项目名称|item_name
qty = 数量|qty
unit_price = 单价|unit_price
amount = 金额|amount
occurred_at = 发生时间|occurred_at
entered_at = 录入时间|entered_at
operator = 操作员|operator
invoice_no = 发票号|invoice_no
dept = 科室|dept
ref = 备注|ref

[orders]
his_id = 流水号|his_id
patient_id = 患者编号|patient_id
patient_name = 姓名|patient_name
item_code = 项目编码|item_code
item_name = 项目名称|item_name
qty = 数量|qty
occurred_at = 发生时间|occurred_at
entered_at = 录入时间|entered_at
operator = 操作员|operator
dept = 科室|dept
ref = 备注|ref

[dispenses]
his_id = 流水号|his_id
patient_id = 患者编号|patient_id
item_code = 项目编码|item_code
item_name = 项目名称|item_name
qty = 数量|qty
occurred_at = 发生时间|occurred_at
entered_at = 录入时间|entered_at
operator = 操作员|operator
source_no = 处方/请领单号|source_no
ref = 备注|ref

[invoices]
invoice_no = 发票号|invoice_no
status = 状态|status
amount = 金额|amount
operator = 操作员|operator
occurred_at = 发生时间|occurred_at

[routing]
# Which desk types each journal kind's back-fill: the worklists/DEPT a
# finding goes to (docs/reconcile.md, "Worklists and routing").  A
# department's name, @captured (the department that captured the form; for
# a requisition every department that captured its paper form or dispensed
# against it) or @role:ROLE (the departments of the stations of that role),
# ',' between several.  A kind not named here goes to @captured.
prescription = @role:cashier
prescription.why = 门诊手工处方统一交收费处补录 (rule 6: outpatient paper prescriptions are back-filled by the cashier)
requisition = @captured
requisition.why = 病区补录医嘱, 药房确认发药 (the ward back-fills the order, the pharmacy confirms the dispense)
exam = @captured
exam.why = 医技科室按申请单底联补录 (the medical-technology department back-fills from the stub)
